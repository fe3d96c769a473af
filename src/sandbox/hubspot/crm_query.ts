/** The CRM list query (limit, after, properties, archived), HubSpot's cursors, and one page. */
import { z } from "zod";
import {
  alwaysReturned,
  type CrmRecord,
  DEFAULT_PROPERTIES,
  type ObjectType,
  type Properties,
} from "./data.ts";

/** Object types by name and by HubSpot's object type id. */
export const OBJECT_TYPES: Readonly<Record<string, ObjectType>> = {
  contacts: "contacts",
  companies: "companies",
  deals: "deals",
  "0-1": "contacts",
  "0-2": "companies",
  "0-3": "deals",
};

/**
 * HubSpot documents a maximum of 100 per page but not what happens above it (400 or a silent
 * cap is unverified). This sandbox answers 400 VALIDATION_ERROR, so a client that asks for more
 * finds out here rather than by silently getting fewer records per page than it planned for.
 */
export const MAX_LIMIT = 100;
export const DEFAULT_LIMIT = 10;

const param = (name: string, problem: string) =>
  `Invalid input for query parameter '${name}': ${problem}`;

const querySchema = z.object({
  limit: z.string().optional().transform((value, ctx) => {
    if (value === undefined || value === "") return DEFAULT_LIMIT;
    const limit = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
    if (Number.isNaN(limit)) {
      ctx.addIssue({ code: "custom", message: param("limit", `'${value}' is not an integer`) });
    } else if (limit < 1) {
      ctx.addIssue({ code: "custom", message: param("limit", "must be at least 1") });
    } else if (limit > MAX_LIMIT) {
      ctx.addIssue({
        code: "custom",
        message: param("limit", `${limit} is more than the maximum of ${MAX_LIMIT}`),
      });
    }
    return limit;
  }),
  after: z.string().optional().transform((value, ctx) => {
    if (value === undefined || value === "") return null;
    const id = decodeAfter(value);
    if (id === null) {
      ctx.addIssue({ code: "custom", message: param("after", "not a paging cursor") });
    }
    return id;
  }),
  archived: z.string().optional().transform((value, ctx) => {
    const text = (value ?? "false").toLowerCase();
    if (text !== "true" && text !== "false") {
      ctx.addIssue({ code: "custom", message: param("archived", "must be true or false") });
    }
    return text === "true";
  }),
});

export interface ListQuery {
  limit: number;
  /** The ID the page starts at, from the `after` cursor. */
  afterId: number | null;
  archived: boolean;
  /** Property names as asked for (comma-separated and/or repeated), or null for the defaults. */
  properties: string[] | null;
}

/** The query, or the message of a 400 VALIDATION_ERROR. Unknown parameters are ignored. */
export function parseListQuery(
  query: Record<string, string>,
  properties: string[] | undefined,
): ListQuery | string {
  const parsed = querySchema.safeParse(query);
  if (!parsed.success) return parsed.error.issues[0].message;
  const named = (properties ?? []).flatMap((p) => p.split(",")).map((p) => p.trim())
    .filter((p) => p !== "");
  return {
    limit: parsed.data.limit,
    afterId: parsed.data.after,
    archived: parsed.data.archived,
    properties: named.length > 0 ? named : null,
  };
}

/**
 * Cursors look like HubSpot's documented one (`NTI1Cg%3D%3D`: base64 of "525\n", URL-encoded):
 * opaque to clients, which must send back exactly what they got.
 */
export function encodeAfter(id: string): string {
  return encodeURIComponent(btoa(`${id}\n`));
}

/** Accepts the cursor as sent, URL-decoded once more (clients that encode it again) or not. */
export function decodeAfter(value: string): number | null {
  let text = value;
  for (let i = 0; i < 2 && text.includes("%"); i++) {
    try {
      text = decodeURIComponent(text);
    } catch {
      return null;
    }
  }
  let decoded: string;
  try {
    decoded = atob(text);
  } catch {
    return null;
  }
  const match = /^(\d{1,15})\n$/.exec(decoded);
  return match ? Number(match[1]) : null;
}

/** One record as the API shows it: the asked-for properties it knows, sorted by name. */
export function present(type: ObjectType, record: CrmRecord, asked: string[] | null) {
  const names = new Set([...(asked ?? DEFAULT_PROPERTIES[type]), ...alwaysReturned(type)]);
  const properties: Properties = {};
  for (const name of [...names].sort()) {
    if (Object.hasOwn(record.properties, name)) properties[name] = record.properties[name];
  }
  return {
    id: record.id,
    properties,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    archived: record.archived,
    ...(record.archivedAt === undefined ? {} : { archivedAt: record.archivedAt }),
  };
}

/** One page; `paging` is absent on the last page. Records are in ascending ID order. */
export function listPage(type: ObjectType, records: CrmRecord[], query: ListQuery) {
  const visible = records.filter((r) => r.archived === query.archived);
  const afterId = query.afterId;
  const start = afterId === null ? 0 : visible.findIndex((r) => Number(r.id) >= afterId);
  const page = start < 0 ? [] : visible.slice(start, start + query.limit);
  const next = start < 0 ? undefined : visible[start + query.limit];
  const results = page.map((r) => present(type, r, query.properties));
  if (next === undefined) return { results };
  const after = encodeAfter(next.id);
  return { results, paging: { next: { after, link: `?after=${after}` } } };
}
