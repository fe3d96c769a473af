/** One Airtable table's records: paging that survives expired iterators, and their items. */
import { z } from "zod";
import type { ProviderApi } from "../contract/calls.ts";
import { type ChainPage, lazyPage } from "../contract/chains.ts";
import { type IntegrationItem, makeItem } from "../contract/item.ts";
import { ProviderError, ProviderStatusError } from "../errors.ts";
import { cellText } from "./airtable_cells.ts";
import { readCursor, type RecordsContext } from "./airtable_cursors.ts";

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
export async function recordsPage(
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
