/** The contexts and cursors Airtable's chains keep, read back with their schemas. */
import { z } from "zod";
import { parseJson } from "../json.ts";
import { ProviderError } from "../errors.ts";

/** What a base's tables chain knows (from the bases page that revealed it). */
export const tablesContext = z.object({ baseId: z.string().min(1), baseName: z.string() });
export type TablesContext = z.infer<typeof tablesContext>;

/** What a table's records chain knows; primaryFieldId is "" when the schema gave none. */
export const recordsContext = z.object({
  baseId: z.string().min(1),
  tableId: z.string().min(1),
  tableName: z.string(),
  primaryFieldId: z.string(),
});
export type RecordsContext = z.infer<typeof recordsContext>;

/** Reads a chain's context; a foreign one is refused. */
export function readContext<T>(schema: z.ZodType<T>, context: unknown): T {
  const parsed = schema.safeParse(context);
  if (!parsed.success) throw new ProviderError("The Airtable listing cursor is not valid.");
  return parsed.data;
}

/** Reads one of this module's own cursors (JSON); a foreign one is refused. */
export function readCursor<T>(schema: z.ZodType<T>, cursor: string | null, fresh: T): T {
  if (cursor === null) return fresh;
  const parsed = schema.safeParse(parseJson(cursor));
  if (!parsed.success) throw new ProviderError("The Airtable listing cursor is not valid.");
  return parsed.data;
}
