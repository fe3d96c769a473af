import { z } from "zod";
import { ProviderError } from "../errors.ts";
import { parseJson } from "../json.ts";
import { type IntegrationItem, makeItem } from "../items/item.ts";
import {
  type AccountInfo,
  type ChainPage,
  type ChainPosition,
  type ChangePage,
  type Fetch,
  lazyPage,
  type ListingContext,
  type ProviderApi,
  type ProviderSpec,
} from "./spec.ts";

/** The CRM object types the hub lists, with HubSpot's object type ids used in record URLs. */
const OBJECT_TYPES = {
  contacts: {
    type: "contact",
    typeId: "0-1",
    properties: "firstname,lastname,email",
    modified: "lastmodifieddate",
  },
  companies: {
    type: "company",
    typeId: "0-2",
    properties: "name,domain",
    modified: "hs_lastmodifieddate",
  },
  deals: { type: "deal", typeId: "0-3", properties: "dealname", modified: "hs_lastmodifieddate" },
} as const;

const tokenSchema = z.object({
  access_token: z.string().min(1),
  hub_id: z.number().int().optional(),
  scopes: z.array(z.string()).optional(),
});

const metadataSchema = z.object({
  hub_id: z.number().int(),
  hub_domain: z.string().optional(),
  scopes: z.array(z.string()).optional(),
});

const listSchema = z.object({
  results: z.array(z.object({
    id: z.string(),
    properties: z.record(z.string(), z.string().nullable()).default({}),
    createdAt: z.string().optional(),
    updatedAt: z.string().optional(),
    archivedAt: z.string().optional(),
  })),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});
type CrmRecord = z.infer<typeof listSchema>["results"][number];

type ObjectTypeName = keyof typeof OBJECT_TYPES;

export const hubspot: ProviderSpec = {
  id: "hubspot",
  displayName: "HubSpot",
  description: "Contacts, companies and deals from your CRM.",
  itemTypes: ["contact", "company", "deal"],
  oauth: {
    // `oauth` must be listed or HubSpot refuses the install (scope mismatch).
    scopes: [
      "oauth",
      "crm.objects.contacts.read",
      "crm.objects.companies.read",
      "crm.objects.deals.read",
    ],
    pkce: false,
    clientAuth: "form_body",
    tokenBody: "form",
    authorizeParams: {},
    tokenHeaders: {},
    rotatesRefreshTokens: false,
  },
  apiHeaders: {},
  // 100 requests per 10 s per installed account (hub_id), whoever installed it; OAuth apps may
  // be given more, which X-HubSpot-RateLimit-Max says. CRM search has its own 5 per second per
  // account and counts against the 10-second limit too. HubSpot sends no Retry-After.
  rateLimits: {
    rules: [
      {
        name: "search",
        requests: 5,
        windowMs: 1000,
        per: "account",
        accountField: "hub_id",
        appliesTo: { method: "POST", pathPattern: /^\/crm\/v3\/objects\/[^/]+\/search$/ },
        penaltyMs: 1000,
        marginMs: 50,
      },
      {
        name: "portal",
        // HubSpot's 100 (or what X-HubSpot-RateLimit-Max states). A listing's chains start
        // their calls in bursts, which reach HubSpot spread out: 2.5% of the window covers it.
        requests: 100,
        windowMs: 10_000,
        marginMs: 250,
        per: "account",
        accountField: "hub_id",
        penaltyMs: 10_000,
      },
    ],
    honoursRetryAfter: false,
    statuses: [429],
    limitHeader: { header: "X-HubSpot-RateLimit-Max", rule: "portal" },
  },
  maxPageSize: 100,
  readAccount,
  startChains: () => Object.keys(OBJECT_TYPES).map((chain) => ({ chain, cursor: null })),
  fetchPage,
  changeFeed: {
    watermarkAt: (startedAt) =>
      Object.fromEntries(
        Object.keys(OBJECT_TYPES).flatMap((name) => [
          [name, String(startedAt - CLOCK_MARGIN_MS)],
          [`${name}:archived`, String(startedAt - CLOCK_MARGIN_MS)],
        ]),
      ),
    startChains,
    fetchChanges,
  },
  revoke: async (tokens, app) => {
    if (tokens.refreshToken === null) return;
    const response = await app.fetch(
      `${app.apiUrl}/oauth/v1/refresh-tokens/${encodeURIComponent(tokens.refreshToken)}`,
      { method: "DELETE", signal: AbortSignal.timeout(20_000) },
    );
    await response.body?.cancel();
    if (!response.ok && response.status !== 404) {
      throw new ProviderError(`HubSpot did not revoke the grant (HTTP ${response.status}).`);
    }
  },
};

/**
 * The token answer carries hub_id since 2025; older answers need the token metadata call,
 * which puts the token in a URL path, so it is made only when hub_id is missing.
 */
async function readAccount(
  data: Record<string, unknown>,
  app: { apiUrl: string; fetch: Fetch },
): Promise<AccountInfo> {
  const token = tokenSchema.safeParse(data);
  if (!token.success) throw new ProviderError("HubSpot's token answer was not understood.");
  let hubId = token.data.hub_id;
  let scopes = token.data.scopes;
  if (hubId === undefined) {
    const meta = await fetchMetadata(app, token.data.access_token);
    hubId = meta.hub_id;
    scopes = scopes ?? meta.scopes;
  }
  return {
    account: { id: String(hubId), name: `HubSpot account ${hubId}` },
    extra: { hub_id: String(hubId) },
    scopes: scopes ?? [],
  };
}

async function fetchMetadata(
  app: { apiUrl: string; fetch: Fetch },
  accessToken: string,
): Promise<z.infer<typeof metadataSchema>> {
  let response: Response;
  try {
    response = await app.fetch(
      `${app.apiUrl}/oauth/v1/access-tokens/${encodeURIComponent(accessToken)}`,
    );
  } catch {
    throw new ProviderError("HubSpot's token metadata could not be reached; try connecting again.");
  }
  const parsed = metadataSchema.safeParse(await response.json().catch(() => null));
  if (!response.ok || !parsed.success) {
    throw new ProviderError(`HubSpot's token metadata failed (HTTP ${response.status}).`);
  }
  return parsed.data;
}

async function fetchPage(
  position: { chain: string; cursor: string | null },
  pageSize: number,
  api: ProviderApi,
  context: { extra: Record<string, string> },
): Promise<ChainPage> {
  const objectType = position.chain as ObjectTypeName;
  const spec = OBJECT_TYPES[objectType];
  if (spec === undefined) throw new ProviderError(`Unknown HubSpot listing "${position.chain}".`);
  const query: Record<string, string> = { limit: String(pageSize), properties: spec.properties };
  if (position.cursor !== null) query.after = position.cursor;
  const page = await api.call(
    { method: "GET", path: `/crm/v3/objects/${objectType}`, query },
    listSchema,
  );
  const hubId = context.extra.hub_id ?? null;
  return lazyPage(
    page.results,
    (records) => records.map((record) => toItem(objectType, record, hubId)),
    { next: page.paging?.next?.after ?? null },
  );
}

function toItem(
  objectType: ObjectTypeName,
  record: CrmRecord,
  hubId: string | null,
): IntegrationItem {
  const spec = OBJECT_TYPES[objectType];
  const p = record.properties;
  return makeItem({
    // HubSpot ids are unique only within one object type.
    id: `${spec.type}:${record.id}`,
    type: spec.type,
    name: itemName(objectType, p),
    creation_time: record.createdAt ?? p.createdate ?? null,
    last_modified_time: record.updatedAt ?? p.lastmodifieddate ?? p.hs_lastmodifieddate ?? null,
    url: hubId === null
      ? null
      : `https://app.hubspot.com/contacts/${hubId}/record/${spec.typeId}/${record.id}`,
    visibility: true,
  });
}

function itemName(objectType: ObjectTypeName, p: Record<string, string | null>): string {
  if (objectType === "contacts") {
    const full = [p.firstname, p.lastname].filter((part) => part && part.trim()).join(" ");
    return full || p.email || "";
  }
  return (objectType === "companies" ? p.name : p.dealname) ?? "";
}

/**
 * The change feed. Per object type, two chains: CRM search on the last-modified property, GTE
 * the watermark minus SEARCH_OVERLAP_MS (search lags a little behind edits), ascending, 200 a
 * page, restarted from the last value seen before paging would pass search's 10,000-result
 * cap; and the archived listing (deleted records, which search never returns), whose records
 * archived before the previous watermark were seen by the previous sync already.
 */
const SEARCH_PAGE = 200;
const SEARCH_CAP = 10_000;
const SEARCH_OVERLAP_MS = 60_000;
/** A full listing's watermark is the hub's clock at its start, less this for clock skew. */
const CLOCK_MARGIN_MS = 5 * 60_000;

/** A search query's lower bound, its paging cursor, and the newest modification seen so far. */
const searchCursorSchema = z.object({
  from: z.number(),
  after: z.string().nullable(),
  seen: z.number(),
});
type SearchCursor = z.infer<typeof searchCursorSchema>;

/** The archived listing's paging cursor, what counts as newly archived, the newest seen. */
const archivedCursorSchema = z.object({
  since: z.number(),
  after: z.string().nullable(),
  seen: z.number(),
});
type ArchivedCursor = z.infer<typeof archivedCursorSchema>;

const searchSchema = listSchema.extend({ total: z.number().optional() });

function startChains(watermark: Record<string, string>): ChainPosition[] | null {
  const positions: ChainPosition[] = [];
  for (const name of Object.keys(OBJECT_TYPES)) {
    const modified = Number(watermark[name]);
    const archived = Number(watermark[`${name}:archived`]);
    if (!Number.isFinite(modified) || !Number.isFinite(archived)) return null;
    const cursor: SearchCursor = {
      from: modified - SEARCH_OVERLAP_MS,
      after: null,
      seen: modified,
    };
    positions.push({ chain: `${name}:changes`, cursor: JSON.stringify(cursor) });
    const deleted: ArchivedCursor = {
      since: archived - SEARCH_OVERLAP_MS,
      after: null,
      seen: archived,
    };
    positions.push({ chain: `${name}:archived`, cursor: JSON.stringify(deleted) });
  }
  return positions;
}

async function fetchChanges(
  position: ChainPosition,
  api: ProviderApi,
  context: ListingContext,
): Promise<ChangePage> {
  const [name, kind] = position.chain.split(":");
  const objectType = name as ObjectTypeName;
  if (!Object.hasOwn(OBJECT_TYPES, objectType) || (kind !== "changes" && kind !== "archived")) {
    throw new ProviderError(`Unknown HubSpot change feed "${position.chain}".`);
  }
  const hubId = context.extra.hub_id ?? null;
  return kind === "changes"
    ? await searchChanges(objectType, position.cursor, api, hubId)
    : await archivedSince(objectType, position.cursor, api);
}

async function searchChanges(
  objectType: ObjectTypeName,
  rawCursor: string | null,
  api: ProviderApi,
  hubId: string | null,
): Promise<ChangePage> {
  const cursor = searchCursorSchema.safeParse(rawCursor === null ? null : parseJson(rawCursor));
  if (!cursor.success) {
    throw new ProviderError("A HubSpot change feed position was not understood.");
  }
  const { from, after } = cursor.data;
  let seen = cursor.data.seen;
  const spec = OBJECT_TYPES[objectType];
  const page = await api.call({
    method: "POST",
    path: `/crm/v3/objects/${objectType}/search`,
    json: {
      filterGroups: [{
        filters: [{ propertyName: spec.modified, operator: "GTE", value: String(from) }],
      }],
      sorts: [{ propertyName: spec.modified, direction: "ASCENDING" }],
      properties: [...spec.properties.split(","), spec.modified],
      limit: SEARCH_PAGE,
      ...(after === null ? {} : { after }),
    },
  }, searchSchema);
  let last = from;
  for (const record of page.results) {
    const modified = Date.parse(record.properties[spec.modified] ?? record.updatedAt ?? "");
    if (Number.isFinite(modified) && modified > last) last = modified;
  }
  seen = Math.max(seen, last);
  const nextAfter = page.paging?.next?.after ?? null;
  let next: SearchCursor | null = nextAfter === null ? null : { from, after: nextAfter, seen };
  if (next !== null && Number(nextAfter) + SEARCH_PAGE > SEARCH_CAP) {
    // Search answers 400 past its 10,000th result: the same query again from the last value.
    if (last === from) {
      throw new ProviderError(
        "More than 10,000 HubSpot records share one modification time; the next sync lists all.",
      );
    }
    next = { from: last, after: null, seen };
  }
  return {
    upserts: page.results.map((record) => toItem(objectType, record, hubId)),
    deletions: [],
    next: next === null ? null : JSON.stringify(next),
    watermark: { [objectType]: String(seen) },
  };
}

async function archivedSince(
  objectType: ObjectTypeName,
  rawCursor: string | null,
  api: ProviderApi,
): Promise<ChangePage> {
  const cursor = archivedCursorSchema.safeParse(rawCursor === null ? null : parseJson(rawCursor));
  if (!cursor.success) {
    throw new ProviderError("A HubSpot change feed position was not understood.");
  }
  // Records archived before the previous watermark (less the lag) were seen by then.
  const since = cursor.data.since;
  let seen = cursor.data.seen;
  const query: Record<string, string> = {
    archived: "true",
    limit: "100",
    properties: "hs_object_id",
  };
  if (cursor.data.after !== null) query.after = cursor.data.after;
  const page = await api.call(
    { method: "GET", path: `/crm/v3/objects/${objectType}`, query },
    listSchema,
  );
  const type = OBJECT_TYPES[objectType].type;
  const deletions: string[] = [];
  for (const record of page.results) {
    const archivedAt = Date.parse(record.archivedAt ?? "");
    // Without archivedAt the record cannot be placed in time: treat it as newly deleted.
    if (!Number.isFinite(archivedAt) || !(archivedAt < since)) {
      deletions.push(`${type}:${record.id}`);
    }
    if (Number.isFinite(archivedAt) && archivedAt > seen) seen = archivedAt;
  }
  const after = page.paging?.next?.after ?? null;
  return {
    upserts: [],
    deletions,
    next: after === null ? null : JSON.stringify({ since, after, seen }),
    watermark: { [`${objectType}:archived`]: String(seen) },
  };
}
