import { z } from "zod";
import { ProviderError, ProviderStatusError } from "../errors.ts";
import { type IntegrationItem, makeItem } from "../items/item.ts";
import { parseJson } from "../json.ts";
import type { AccountInfo, ChainPage, ChainPosition, ProviderApi, ProviderSpec } from "./spec.ts";

const tokenSchema = z.object({ access_token: z.string().min(1), scope: z.string().optional() });
const whoamiSchema = z.object({ id: z.string(), email: z.string().optional() });

const basesSchema = z.object({
  bases: z.array(z.object({ id: z.string(), name: z.string().default("") })),
  offset: z.string().optional(),
});

const tablesSchema = z.object({
  tables: z.array(z.object({
    id: z.string(),
    name: z.string().default(""),
    primaryFieldId: z.string(),
  })),
});

const recordsSchema = z.object({
  records: z.array(z.object({
    id: z.string(),
    createdTime: z.string().optional(),
    fields: z.record(z.string(), z.unknown()).default({}),
  })),
  offset: z.string().optional(),
});
type AirtableRecord = z.infer<typeof recordsSchema>["records"][number];

/** How many times one table's listing may restart after its iterator expired. */
const MAX_RESTARTS = 2;

export const airtable: ProviderSpec = {
  id: "airtable",
  displayName: "Airtable",
  description: "Bases, tables and records.",
  itemTypes: ["base", "table", "record"],
  oauth: {
    scopes: ["data.records:read", "schema.bases:read"],
    // Airtable requires PKCE even for clients with a secret.
    pkce: true,
    clientAuth: "basic",
    tokenBody: "form",
    authorizeParams: {},
    tokenHeaders: {},
    rotatesRefreshTokens: true,
  },
  apiHeaders: {},
  // 5 requests per second per base, whoever asks; a 429 costs a 30-second penalty.
  rateLimit: {
    requests: 5,
    windowMs: 1000,
    scope: "key",
    penaltyMs: 30_000,
    honoursRetryAfter: false,
    statuses: [429],
  },
  maxPageSize: 100,
  readAccount,
  startChains: () => [{ chain: "bases", cursor: null }],
  fetchPage,
  // Airtable documents no revocation endpoint: disconnecting forgets the tokens locally.
};

async function readAccount(
  data: Record<string, unknown>,
  app: { apiUrl: string },
): Promise<AccountInfo> {
  const token = tokenSchema.safeParse(data);
  if (!token.success) throw new ProviderError("Airtable's token answer was not understood.");
  let response: Response;
  try {
    response = await fetch(`${app.apiUrl}/v0/meta/whoami`, {
      headers: { Authorization: `Bearer ${token.data.access_token}` },
      signal: AbortSignal.timeout(20_000),
    });
  } catch {
    throw new ProviderError("Airtable could not be reached to identify the account; try again.");
  }
  const who = whoamiSchema.safeParse(await response.json().catch(() => null));
  if (!response.ok || !who.success) {
    throw new ProviderError(`Airtable did not identify the account (HTTP ${response.status}).`);
  }
  return {
    account: { id: who.data.id, name: who.data.email ?? who.data.id },
    extra: {},
    scopes: (token.data.scope ?? "").split(" ").filter((s) => s !== ""),
  };
}

/**
 * Cursors inside a provider page: Airtable's bases and tables come in pages larger than a hub
 * page may hold, so a cursor is "the provider's offset, and how many of that page were used".
 */
const subCursorSchema = z.object({ o: z.string().nullable(), s: z.number().int().min(0) });
const recordCursorSchema = z.object({
  o: z.string().nullable(),
  last: z.string().nullable(),
  mid: z.boolean(),
});

function readCursor<T>(schema: z.ZodType<T>, cursor: string | null, fresh: T): T {
  if (cursor === null) return fresh;
  const parsed = schema.safeParse(parseJson(cursor));
  if (!parsed.success) throw new ProviderError("The Airtable listing cursor is not valid.");
  return parsed.data;
}

async function fetchPage(
  position: ChainPosition,
  pageSize: number,
  api: ProviderApi,
): Promise<ChainPage> {
  const ctx = position.context ?? {};
  if (position.chain === "bases") return await basesPage(position, pageSize, api);
  if (position.chain === "tables") return await tablesPage(position, pageSize, api, ctx);
  if (position.chain === "records") return await recordsPage(position, pageSize, api, ctx);
  throw new ProviderError(`Unknown Airtable listing "${position.chain}".`);
}

async function basesPage(position: ChainPosition, pageSize: number, api: ProviderApi) {
  const at = readCursor(subCursorSchema, position.cursor, { o: null, s: 0 });
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
      context: { baseId: base.id, baseName: base.name },
    })),
  };
}

async function tablesPage(
  position: ChainPosition,
  pageSize: number,
  api: ProviderApi,
  ctx: Record<string, string>,
): Promise<ChainPage> {
  const start = position.cursor === null ? 0 : Number(position.cursor);
  const { tables } = await api.call({
    method: "GET",
    path: `/v0/meta/bases/${encodeURIComponent(ctx.baseId)}/tables`,
    rateKey: ctx.baseId,
  }, tablesSchema);
  const slice = tables.slice(start, start + pageSize);
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
    next: start + slice.length < tables.length ? String(start + slice.length) : null,
    spawn: slice.map((table) => ({
      chain: "records",
      cursor: null,
      context: {
        baseId: ctx.baseId,
        tableId: table.id,
        tableName: table.name,
        primaryFieldId: table.primaryFieldId,
      },
    })),
  };
}

/**
 * One page of a table's records. The cursor holds Airtable's offset and the last record handed
 * out; `mid` says the page at that offset was only partly served. When Airtable says the list
 * iterator expired (422), the table is listed again from the start and the records already
 * handed out are skipped, so nothing is lost or repeated (Airtable lists in a stable order).
 */
async function recordsPage(
  position: ChainPosition,
  pageSize: number,
  api: ProviderApi,
  ctx: Record<string, string>,
): Promise<ChainPage> {
  const at = readCursor(recordCursorSchema, position.cursor, { o: null, last: null, mid: false });
  const path = `/v0/${encodeURIComponent(ctx.baseId)}/${encodeURIComponent(ctx.tableId)}`;
  let offset = at.o;
  let skipping = at.mid;
  let restarts = 0;
  while (true) {
    let page: z.infer<typeof recordsSchema>;
    try {
      page = await api.call({
        method: "GET",
        path,
        query: {
          pageSize: String(skipping ? 100 : pageSize),
          returnFieldsByFieldId: "true",
          ...(offset === null ? {} : { offset }),
        },
        rateKey: ctx.baseId,
      }, recordsSchema);
    } catch (error) {
      if (!isExpiredIterator(error) || restarts++ >= MAX_RESTARTS) throw error;
      offset = null;
      skipping = at.last !== null;
      continue;
    }
    let records = page.records;
    if (skipping) {
      const index = records.findIndex((r) => r.id === at.last);
      if (index < 0) {
        if (page.offset === undefined) {
          throw new ProviderError("The Airtable table changed while it was listed; load it again.");
        }
        offset = page.offset;
        continue;
      }
      records = records.slice(index + 1);
      skipping = false;
    }
    const served = records.slice(0, pageSize);
    const last = served.at(-1)?.id ?? at.last;
    if (served.length === 0 && page.offset !== undefined) {
      offset = page.offset;
      continue;
    }
    const next = served.length < records.length
      ? { o: offset, last, mid: true }
      : page.offset === undefined
      ? null
      : { o: page.offset, last, mid: false };
    return {
      items: served.map((record) => recordItem(record, ctx)),
      next: next === null ? null : JSON.stringify(next),
    };
  }
}

function isExpiredIterator(error: unknown): boolean {
  if (!(error instanceof ProviderStatusError) || error.httpStatus !== 422) return false;
  const parsed = z.object({ error: z.object({ type: z.string() }) }).safeParse(error.body);
  return parsed.success && parsed.data.error.type === "LIST_RECORDS_ITERATOR_NOT_AVAILABLE";
}

function recordItem(record: AirtableRecord, ctx: Record<string, string>): IntegrationItem {
  return makeItem({
    id: record.id,
    type: "record",
    name: cellText(record.fields[ctx.primaryFieldId]) || record.id,
    parent_id: ctx.tableId,
    parent_path_or_name: ctx.tableName,
    creation_time: record.createdTime ?? null,
    url: `https://airtable.com/${ctx.baseId}/${ctx.tableId}/${record.id}`,
    visibility: true,
  });
}

/** A cell as text: strings, numbers, booleans, lists, and the objects Airtable uses for people, barcodes, buttons and attachments. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map(cellText).filter((t) => t !== "").join(", ");
  if (typeof value === "object") {
    const o = value as Record<string, unknown>;
    for (const key of ["name", "text", "label", "filename", "email", "id"]) {
      if (typeof o[key] === "string" && o[key] !== "") return o[key] as string;
    }
  }
  return "";
}
