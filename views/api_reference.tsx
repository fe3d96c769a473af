import { Layout } from "./layout.tsx";

/** The parts of an OpenAPI 3.1 document the reference page shows. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
  components?: {
    schemas?: Record<string, unknown>;
    securitySchemes?: Record<string, { type: string; description?: string }>;
  };
}

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: {
    name: string;
    in: string;
    required?: boolean;
    description?: string;
    schema?: Schema;
  }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<
    string,
    { description?: string; content?: Record<string, { schema?: Schema }> }
  >;
}

type Schema = { $ref?: string; type?: unknown; enum?: unknown[]; [key: string]: unknown };

const METHODS = ["get", "post", "put", "patch", "delete"];

/** The API reference: every operation with its parameters and answers, then the schemas. */
export function ReferencePage({ document }: { document: OpenApiDocument }) {
  const operations = Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m] !== undefined).map((method) => ({
      path,
      method,
      op: item[method],
    }))
  );
  return (
    <Layout title="API reference">
      <article class="reference">
        <h1>{document.info.title}</h1>
        <p class="lede">{document.info.description}</p>
        <p>
          The machine-readable description: <a href="/openapi.json">/openapi.json</a> (OpenAPI{" "}
          {document.openapi}).
        </p>
        <h2>Credentials</h2>
        <dl class="facts">
          {Object.entries(document.components?.securitySchemes ?? {}).map(([name, scheme]) => (
            <div>
              <dt>{name}</dt>
              <dd>{scheme.description}</dd>
            </div>
          ))}
        </dl>
        <nav aria-label="Operations">
          <ul>
            {operations.map(({ path, method }) => (
              <li>
                <a href={`#${anchor(method, path)}`}>
                  <code>{method.toUpperCase()} {path}</code>
                </a>
              </li>
            ))}
          </ul>
        </nav>
        {operations.map(({ path, method, op }) => (
          <OperationSection path={path} method={method} op={op} />
        ))}
        <h2>Schemas</h2>
        {Object.entries(document.components?.schemas ?? {}).map(([name, schema]) => (
          <section id={`schema-${name}`}>
            <h3>{name}</h3>
            <pre class="schema">{JSON.stringify(schema, null, 2)}</pre>
          </section>
        ))}
      </article>
    </Layout>
  );
}

function OperationSection(props: { path: string; method: string; op: Operation }) {
  const { op } = props;
  const body = op.requestBody?.content?.["application/json"]?.schema;
  return (
    <section class="operation" id={anchor(props.method, props.path)}>
      <h2>
        <code>{props.method.toUpperCase()} {props.path}</code>
      </h2>
      <p>{op.summary}</p>
      {op.description ? <p class="muted">{op.description}</p> : null}
      <p class="muted">
        Credentials: {op.security === undefined || op.security.length === 0
          ? "none"
          : op.security.flatMap((s) => Object.keys(s)).join(" or ")}
      </p>
      {op.parameters && op.parameters.length > 0
        ? (
          <table class="params">
            <thead>
              <tr>
                <th>parameter</th>
                <th>in</th>
                <th>type</th>
                <th>meaning</th>
              </tr>
            </thead>
            <tbody>
              {op.parameters.map((p) => (
                <tr>
                  <td>
                    <code>{p.name}</code>
                    {p.required ? " (required)" : ""}
                  </td>
                  <td>{p.in}</td>
                  <td>{typeOf(p.schema)}</td>
                  <td>{p.description ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
        : null}
      {body ? <p>Body (JSON): {typeOf(body)}</p> : null}
      <h3>Answers</h3>
      <ul>
        {Object.entries(op.responses ?? {}).map(([status, answer]) => {
          const content = Object.entries(answer.content ?? {})[0];
          return (
            <li>
              <strong>{status}</strong> {answer.description}
              {content ? <>{" "}({content[0]}: {typeOf(content[1].schema)})</> : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** A short name for a schema: its component, its enum, or its type. */
function typeOf(schema: Schema | undefined): string {
  if (schema === undefined) return "";
  if (typeof schema.$ref === "string") return schema.$ref.replace("#/components/schemas/", "");
  if (Array.isArray(schema.enum)) return schema.enum.join(" | ");
  const options = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(options)) {
    return [...new Set(options.map((option) => typeOf(option as Schema)))].join(" or ");
  }
  if (schema.type === "array") return `list of ${typeOf(schema.items as Schema)}`;
  const type = Array.isArray(schema.type) ? schema.type.join(" or ") : String(schema.type ?? "");
  const range = typeof schema.minimum === "number" && typeof schema.maximum === "number"
    ? ` ${schema.minimum}-${schema.maximum}`
    : "";
  return `${type}${range}`;
}

function anchor(method: string, path: string): string {
  return `${method}-${path.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "")}`;
}
