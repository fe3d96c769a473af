import { z } from "zod";
import { ProviderError, ProviderStatusError } from "../errors.ts";
import { type IntegrationItem, makeItem } from "../items/item.ts";
import { parseJson } from "../json.ts";
import {
  type AccountInfo,
  type ChainPage,
  type ChainPosition,
  type Fetch,
  lazyPage,
  type ProviderApi,
  type ProviderSpec,
} from "./spec.ts";

const tokenSchema = z.object({ access_token: z.string().min(1), scope: z.string().optional() });

/** `email` only comes with the user.email:read scope, which the hub does not ask for. */
const whoamiSchema = z.object({
  id: z.string().min(1),
  email: z.string().optional(),
  scopes: z.array(z.string()).optional(),
});

const basesSchema = z.object({
  bases: z.array(z.object({ id: z.string().min(1), name: z.string().default("") })),
  offset: z.string().min(1).optional(),
});

const tablesSchema = z.object({
  tables: z.array(z.object({
    id: z.string().min(1),
    name: z.string().default(""),
    primaryFieldId: z.string().optional(),
  })),
});

/** Empty cells are left out of `fields` by Airtable, so any field may be missing. */
const recordsSchema = z.object({
  records: z.array(z.object({
    id: z.string().min(1),
    createdTime: z.string().optional(),
    fields: z.record(z.string(), z.unknown()).default({}),
  })),
  offset: z.string().min(1).optional(),
});
type AirtableRecord = z.infer<typeof recordsSchema>["records"][number];

/** Airtable serves at most 100 records per page; skipping after a restart uses full pages. */
const FULL_PAGE = 100;
/** Restarts of one table's listing in a row, with no record served in between. */
const MAX_RESTARTS = 3;

export const airtable: ProviderSpec = {
  id: "airtable",
  displayName: "Airtable",
  description: "Bases, tables and records.",
  itemTypes: ["base", "table", "record"],
  oauth: {
    // Enough to list bases, their tables and records. Not user.email:read: the account's user
    // id names it well enough, and an extra scope must also be enabled on the integration.
    scopes: ["data.records:read", "schema.bases:read"],
    // Airtable requires PKCE even from clients with a secret.
    pkce: true,
    clientAuth: "basic",
    tokenBody: "form",
    authorizeParams: {},
    tokenHeaders: {},
    rotatesRefreshTokens: true,
  },
  apiHeaders: {},
  // 5 requests per second per base, whoever sends them, and 50 per second per token; a 429
  // costs a 30-second wait and Airtable sends no Retry-After. Calls without a base (the bases
  // list) count against the token only.
  rateLimits: {
    rules: [
      // 75 ms margins (see marginMs): a sync step's or a listing's calls to many bases leave
      // at once, and reach Airtable up to a few tens of ms apart.
      {
        name: "base",
        requests: 5,
        windowMs: 1000,
        marginMs: 75,
        per: "request_key",
        penaltyMs: 30_000,
      },
      {
        name: "token",
        requests: 50,
        windowMs: 1000,
        marginMs: 75,
        per: "connection",
        penaltyMs: 30_000,
      },
    ],
    honoursRetryAfter: false,
    statuses: [429],
  },
  maxPageSize: 100,
  readAccount,
  startChains: () => [{ chain: "bases", cursor: null }],
  fetchPage,
  // No changeFeed: every sync is this listing compared with the copy, the cheapest correct way.
  // Deletions show only to an id listing (or to webhooks: another scope and a subscription that
  // expires after 7 days), and this listing is that id listing: records come with the primary
  // field only, all a record's item needs, in pages of 100 either way. A LAST_MODIFIED_TIME()
  // query per table would add one call per table and still miss a computed primary field (a
  // formula or lookup does not move LAST_MODIFIED_TIME()); renamed tables and bases reach
  // their children's parent paths through the same listing.
  // No revoke: Airtable documents no revocation endpoint, so disconnecting forgets the tokens
  // (the user can remove the grant in Airtable's integration settings).
};

async function readAccount(
  data: Record<string, unknown>,
  app: { apiUrl: string; fetch: Fetch },
): Promise<AccountInfo> {
  const token = tokenSchema.safeParse(data);
  if (!token.success) throw new ProviderError("Airtable's token answer was not understood.");
  let response: Response;
  try {
    response = await app.fetch(`${app.apiUrl}/v0/meta/whoami`, {
      headers: { Accept: "application/json", Authorization: `Bearer ${token.data.access_token}` },
      signal: AbortSignal.timeout(20_000),
    });
  } catch {
    throw new ProviderError("Airtable could not be reached to identify the account; try again.");
  }
  const who = whoamiSchema.safeParse(await response.json().catch(() => null));
  if (!response.ok || !who.success) {
    throw new ProviderError(`Airtable did not identify the account (HTTP ${response.status}).`);
  }
  const scopes = token.data.scope === undefined
    ? who.data.scopes ?? []
    : token.data.scope.split(" ").filter((s) => s !== "");
  return {
    account: { id: who.data.id, name: who.data.email ?? who.data.id },
    extra: {},
    scopes,
  };
}

/** What a base's tables chain knows (from the bases page that revealed it). */
const tablesContext = z.object({ baseId: z.string().min(1), baseName: z.string() });
type TablesContext = z.infer<typeof tablesContext>;

/** What a table's records chain knows; primaryFieldId is "" when the schema gave none. */
const recordsContext = z.object({
  baseId: z.string().min(1),
  tableId: z.string().min(1),
  tableName: z.string(),
  primaryFieldId: z.string(),
});
export type RecordsContext = z.infer<typeof recordsContext>;

async function fetchPage(
  position: ChainPosition,
  pageSize: number,
  api: ProviderApi,
): Promise<ChainPage> {
  const { chain, cursor, context } = position;
  if (chain === "bases") return await basesPage(cursor, pageSize, api);
  if (chain === "tables") {
    return await tablesPage(cursor, pageSize, api, readContext(tablesContext, context));
  }
  if (chain === "records") {
    return await recordsPage(cursor, pageSize, api, readContext(recordsContext, context));
  }
  throw new ProviderError(`Unknown Airtable listing "${chain.slice(0, 40)}".`);
}

function readContext<T>(schema: z.ZodType<T>, context: unknown): T {
  const parsed = schema.safeParse(context);
  if (!parsed.success) throw new ProviderError("The Airtable listing cursor is not valid.");
  return parsed.data;
}

/** Reads one of this module's own cursors (JSON); a foreign one is refused. */
function readCursor<T>(schema: z.ZodType<T>, cursor: string | null, fresh: T): T {
  if (cursor === null) return fresh;
  const parsed = schema.safeParse(parseJson(cursor));
  if (!parsed.success) throw new ProviderError("The Airtable listing cursor is not valid.");
  return parsed.data;
}

/** Airtable's offset, and how many bases of that (up to 1,000-base) page were already served. */
const basesCursor = z.object({ o: z.string().nullable(), s: z.number().int().min(0) });

async function basesPage(cursor: string | null, pageSize: number, api: ProviderApi) {
  const at = readCursor(basesCursor, cursor, { o: null, s: 0 });
  const query: Record<string, string> = at.o === null ? {} : { offset: at.o };
  const page = await api.call({ method: "GET", path: "/v0/meta/bases", query }, basesSchema);
  const slice = page.bases.slice(at.s, at.s + pageSize);
  const used = at.s + slice.length;
  const next = used < page.bases.length
    ? { o: at.o, s: used }
    : page.offset === undefined
    ? null
    : { o: page.offset, s: 0 };
  return {
    items: slice.map((base) =>
      makeItem({
        id: base.id,
        type: "base",
        directory: true,
        name: base.name,
        url: `https://airtable.com/${base.id}`,
        visibility: true,
      })
    ),
    next: next === null ? null : JSON.stringify(next),
    spawn: slice.map((base) => ({
      chain: "tables",
      cursor: null,
      group: base.id,
      context: { baseId: base.id, baseName: base.name } satisfies TablesContext,
    })),
  };
}

/** The base schema is not paginated: the cursor is the index of the next table to serve. */
async function tablesPage(
  cursor: string | null,
  pageSize: number,
  api: ProviderApi,
  ctx: TablesContext,
): Promise<ChainPage> {
  const start = cursor === null ? 0 : Number(cursor);
  if (!Number.isSafeInteger(start) || start < 0) {
    throw new ProviderError("The Airtable listing cursor is not valid.");
  }
  const { tables } = await api.call({
    method: "GET",
    path: `/v0/meta/bases/${encodeURIComponent(ctx.baseId)}/tables`,
    rateKey: ctx.baseId,
  }, tablesSchema);
  const slice = tables.slice(start, start + pageSize);
  const end = start + slice.length;
  return {
    items: slice.map((table) =>
      makeItem({
        id: table.id,
        type: "table",
        directory: true,
        name: table.name,
        parent_id: ctx.baseId,
        parent_path_or_name: ctx.baseName,
        url: `https://airtable.com/${ctx.baseId}/${table.id}`,
        visibility: true,
      })
    ),
    next: end < tables.length ? String(end) : null,
    spawn: slice.map((table) => ({
      chain: "records",
      cursor: null,
      group: ctx.baseId,
      context: {
        baseId: ctx.baseId,
        tableId: table.id,
        tableName: table.name,
        primaryFieldId: table.primaryFieldId ?? "",
      } satisfies RecordsContext,
    })),
  };
}

/**
 * Where a table's listing stands: Airtable's offset (null: from the first page); the last
 * record already served; `skip`: records up to and including `last` are still to be skipped
 * on the page at `o` (after a restart, or when a page was only partly served); `r`: restarts
 * in a row without a record served.
 */
const recordsCursor = z.object({
  o: z.string().nullable(),
  last: z.string().nullable(),
  skip: z.boolean(),
  r: z.number().int().min(0),
});
type RecordsCursor = z.infer<typeof recordsCursor>;

/**
 * One page of a table's records, in exactly one request. When Airtable says the list iterator
 * expired (422 LIST_RECORDS_ITERATOR_NOT_AVAILABLE), the listing restarts from the first page
 * and skips the records already served, up to and including the last one: Airtable lists in a
 * stable order, so nothing is lost or repeated. The walk back spans chain pages (maybe empty
 * ones), so every provider call counts against the caller's call budget.
 */
async function recordsPage(
  cursor: string | null,
  pageSize: number,
  api: ProviderApi,
  ctx: RecordsContext,
): Promise<ChainPage> {
  const at = readCursor(recordsCursor, cursor, { o: null, last: null, skip: false, r: 0 });
  const query: Record<string, string> = {
    pageSize: String(at.skip ? FULL_PAGE : pageSize),
    returnFieldsByFieldId: "true",
  };
  // Only the primary field is needed for the name: much smaller pages on wide tables.
  if (ctx.primaryFieldId) query["fields[]"] = ctx.primaryFieldId;
  if (at.o !== null) query.offset = at.o;
  let page: z.infer<typeof recordsSchema>;
  try {
    page = await api.call({
      method: "GET",
      path: `/v0/${encodeURIComponent(ctx.baseId)}/${encodeURIComponent(ctx.tableId)}`,
      query,
      rateKey: ctx.baseId,
    }, recordsSchema);
  } catch (error) {
    if (!isExpiredIterator(error)) throw error;
    if (at.r >= MAX_RESTARTS) {
      throw new ProviderError(
        `Airtable kept expiring the listing of table "${ctx.tableName}"; try again later.`,
        { cause: error },
      );
    }
    return {
      items: [],
      next: encode({ o: null, last: at.last, skip: at.last !== null, r: at.r + 1 }),
    };
  }
  let records = page.records;
  if (at.skip) {
    const index = records.findIndex((r) => r.id === at.last);
    if (index < 0) {
      if (page.offset === undefined) {
        throw new ProviderError(
          `Airtable table "${ctx.tableName}" changed while it was listed; load the items again.`,
        );
      }
      return { items: [], next: encode({ ...at, o: page.offset }) };
    }
    records = records.slice(index + 1);
  }
  const served = records.slice(0, pageSize);
  const last = served.at(-1)?.id ?? at.last;
  const r = served.length > 0 ? 0 : at.r;
  const next: RecordsCursor | null = served.length < records.length
    ? { o: at.o, last, skip: true, r }
    : page.offset === undefined
    ? null
    : { o: page.offset, last, skip: false, r };
  return lazyPage(served, (records) => records.map((record) => recordItem(record, ctx)), {
    next: next === null ? null : encode(next),
  });
}

const encode = (cursor: RecordsCursor): string => JSON.stringify(cursor);

const expiredIteratorBody = z.object({
  error: z.object({ type: z.literal("LIST_RECORDS_ITERATOR_NOT_AVAILABLE") }),
});

function isExpiredIterator(error: unknown): boolean {
  return error instanceof ProviderStatusError && error.httpStatus === 422 &&
    expiredIteratorBody.safeParse(error.body).success;
}

export function recordItem(record: AirtableRecord, ctx: RecordsContext): IntegrationItem {
  const primary = ctx.primaryFieldId ? record.fields[ctx.primaryFieldId] : undefined;
  return makeItem({
    id: record.id,
    type: "record",
    name: cellText(primary).trim() || record.id,
    parent_id: ctx.tableId,
    parent_path_or_name: ctx.tableName,
    creation_time: record.createdTime ?? null,
    url: `https://airtable.com/${ctx.baseId}/${ctx.tableId}/${record.id}`,
    visibility: true,
  });
}

/**
 * Keys that carry an object cell's text, in order: a collaborator's name (else its email), a
 * barcode's text, a button's label, an attachment's filename, an AI text's value, a formula's
 * special value or error.
 */
const TEXT_KEYS = ["name", "text", "label", "filename", "value", "email", "specialValue", "error"];

/**
 * A cell as text, as Airtable's own string format shows it: strings as they are, numbers in
 * full, a checked box as "checked", lists (linked record ids, multiple selects, attachments,
 * lookups) joined by ", ", and the objects Airtable uses for people, barcodes and buttons by
 * their text. Anything else is "".
 */
export function cellText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "boolean") return value ? "checked" : "";
  if (Array.isArray(value)) return value.map(cellText).filter((t) => t !== "").join(", ");
  if (typeof value === "object" && value !== null) {
    const cell = value as Record<string, unknown>;
    for (const key of TEXT_KEYS) {
      const text = cell[key];
      if (typeof text === "string" && text.trim() !== "") return text;
    }
  }
  return "";
}
