/** Airtable's bases and their tables: the metadata listing that spawns each table's records. */
import { z } from "zod";
import type { ProviderApi } from "../contract/calls.ts";
import type { ChainPage } from "../contract/chains.ts";
import { makeItem } from "../contract/item.ts";
import { ProviderError } from "../errors.ts";
import { readCursor, type RecordsContext, type TablesContext } from "./airtable_cursors.ts";

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

/** Airtable's offset, and how many bases of that (up to 1,000-base) page were already served. */
const basesCursor = z.object({ o: z.string().nullable(), s: z.number().int().min(0) });

export async function basesPage(
  cursor: string | null,
  pageSize: number,
  api: ProviderApi,
): Promise<ChainPage> {
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
export async function tablesPage(
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
