import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { Hono } from "hono";
import type { Config } from "../config.ts";
import { SESSION_COOKIE } from "../auth/session.ts";
import type { HubEnv } from "../services.ts";
import { type OpenApiDocument, ReferencePage } from "../../views/api_reference.tsx";
import { callbackQuerySchema } from "./browser.tsx";
import { providerParamsSchema } from "./api_schemas.ts";

const HTML_PAGE = { "text/html": { schema: z.string() } };

/**
 * The OpenAPI 3.1 document of the API's routes, generated from the zod schemas they validate
 * with, plus the browser routes of the contract that answer pages.
 */
export function apiDocument(api: OpenAPIHono<HubEnv>, config: Config): OpenApiDocument {
  const registry = api.openAPIRegistry;
  registry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description: "One of API_KEYS. The call acts for the user_id and org_id it names.",
  });
  registry.registerComponent("securitySchemes", "session", {
    type: "apiKey",
    in: "cookie",
    name: SESSION_COOKIE,
    description:
      "A browser session (from /login in development or a connect link). user_id and org_id may be left out; when given they must be the session's.",
  });
  registry.registerPath(createRoute({
    method: "get",
    path: "/integrations/{provider}/oauth2callback",
    tags: ["Browser"],
    summary: "Where the provider sends the user back (a page, not an API call)",
    description:
      "Exchanges the code, stores the connection, then redirects to the dashboard. A missing, expired, replayed or foreign state is a 400 page that says so; a refusal at the provider shows as cancelled.",
    security: [],
    request: { query: callbackQuerySchema, params: providerParamsSchema },
    responses: {
      303: { description: "To /?connected={provider} (or /?cancelled={provider})" },
      400: { description: "A page saying why the connection did not finish", content: HTML_PAGE },
    },
  }));
  registry.registerPath(createRoute({
    method: "get",
    path: "/",
    tags: ["Browser"],
    summary: "The dashboard (HTML)",
    security: [{ session: [] }],
    responses: {
      200: { description: "The dashboard", content: HTML_PAGE },
      303: { description: "To /login (development) when signed out" },
      401: { description: "A page pointing to the connect link (production)", content: HTML_PAGE },
    },
  }));
  return api.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "Integrations hub API",
      version: "1.0.0",
      description:
        'Connect HubSpot, Airtable and Notion through OAuth 2.0 and read their items as one list. Every answer under /integrations, /api and /health is JSON, errors included ({"error": {"code", "message"}}); an unknown path there is 404 not_found, a known path with another method 405 method_not_allowed with Allow. A parameter a route does not know, a repeated one or a malformed one is 400 invalid_request naming it. Answers carry Cache-Control: no-store.',
    },
    servers: [{ url: config.appUrl }],
  }) as unknown as OpenApiDocument;
}

/** GET /openapi.json and GET /docs, the human reference rendered from the same document. */
export function apiDocs(document: OpenApiDocument): Hono<HubEnv> {
  const docs = new Hono<HubEnv>();
  docs.get("/openapi.json", (c) => c.json(document));
  docs.get("/docs", (c) => c.html(<ReferencePage document={document} />));
  return docs;
}
