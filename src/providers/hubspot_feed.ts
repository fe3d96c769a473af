/**
 * HubSpot's change feed. Per object type, two chains: CRM search on the last-modified property,
 * GTE the watermark minus SEARCH_OVERLAP_MS (search lags a little behind edits), ascending, 200
 * a page, restarted from the last value seen before paging would pass search's 10,000-result
 * cap; and the archived listing (deleted records, which search never returns), whose records
 * archived before the previous watermark were seen by the previous sync already.
 */
import { z } from "zod";
import type { ProviderApi } from "../contract/calls.ts";
import type { ChainPosition, ChangePage, ListingContext } from "../contract/chains.ts";
import { ProviderError } from "../errors.ts";
import { parseJson } from "../json.ts";
import { listSchema, OBJECT_TYPES, type ObjectTypeName, toItem } from "./hubspot_crm.ts";
import type { ChangeFeed } from "./spec.ts";

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

export const changeFeed: ChangeFeed = {
  watermarkAt: (startedAt) =>
    Object.fromEntries(
      Object.keys(OBJECT_TYPES).flatMap((name) => [
        [name, String(startedAt - CLOCK_MARGIN_MS)],
        [`${name}:archived`, String(startedAt - CLOCK_MARGIN_MS)],
      ]),
    ),
  startChains,
  fetchChanges,
};
