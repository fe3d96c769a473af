/**
 * The list-records parameters, from a GET query string or a POST listRecords JSON body, checked
 * as Airtable checks them (pageSize at most 100). `filterByFormula` takes the formulas of
 * formula.ts; what the sandbox does not emulate (other formulas, sorting, string cell format) is
 * refused with a 422 that says so, never silently ignored.
 */
import { z } from "zod";
import { parseFormula, type RecordFilter } from "./formula.ts";

export interface ListParams {
  pageSize: number;
  offset: string | null;
  maxRecords: number | null;
  /** Field names or ids to return; null: all. */
  fields: string[] | null;
  view: string | null;
  byFieldId: boolean;
  /** The filterByFormula text (an offset belongs to one formula) and its filter; null: none. */
  formula: string | null;
  filter: RecordFilter | null;
}

const paramsSchema = z.object({
  pageSize: z.coerce.number().int().min(1).max(100).default(100),
  offset: z.string().min(1).max(200).optional(),
  maxRecords: z.coerce.number().int().min(1).optional(),
  fields: z.array(z.string().max(500)).max(500).optional(),
  view: z.string().min(1).max(500).optional(),
  returnFieldsByFieldId: z.union([z.boolean(), z.enum(["true", "false", "1", "0"])]).optional(),
  cellFormat: z.enum(["json", "string"]).optional(),
  timeZone: z.string().max(100).optional(),
  userLocale: z.string().max(100).optional(),
  filterByFormula: z.string().max(100_000).optional(),
  sort: z.array(z.unknown()).optional(),
});

/** `type`: Airtable's error type, INVALID_REQUEST_UNKNOWN unless said. */
export type ParamsResult = { params: ListParams } | { error: string; type?: string };

function finish(input: Record<string, unknown>): ParamsResult {
  const parsed = paramsSchema.safeParse(input);
  if (!parsed.success) {
    return { error: "Invalid request: parameter validation failed. Check your request data." };
  }
  const p = parsed.data;
  const formula = p.filterByFormula?.trim() ? p.filterByFormula : null;
  const filter = formula === null ? null : parseFormula(formula);
  if (filter !== null && "error" in filter) {
    return { error: filter.error, type: "INVALID_FILTER_BY_FORMULA" };
  }
  if (p.sort !== undefined && p.sort.length > 0) {
    return { error: "The Airtable sandbox does not emulate sort." };
  }
  if (p.cellFormat === "string") {
    return { error: "The Airtable sandbox only emulates cellFormat=json." };
  }
  const byFieldId = p.returnFieldsByFieldId;
  return {
    params: {
      pageSize: p.pageSize,
      offset: p.offset ?? null,
      maxRecords: p.maxRecords ?? null,
      fields: p.fields ?? null,
      view: p.view ?? null,
      byFieldId: byFieldId === true || byFieldId === "true" || byFieldId === "1",
      formula,
      filter,
    },
  };
}

/** From the query string: `fields[]` repeats, `sort[0][field]` style keys mean sorting. */
export function paramsFromQuery(url: string): ParamsResult {
  const query = new URL(url).searchParams;
  const input: Record<string, unknown> = {};
  const fields: string[] = [];
  let sorted = false;
  for (const [key, value] of query) {
    if (key === "fields[]" || key === "fields") fields.push(value);
    else if (key.startsWith("sort[")) sorted = true;
    else if (key in input) return { error: `Invalid request: ${key.slice(0, 40)} is repeated.` };
    else input[key] = value;
  }
  if (fields.length > 0) input.fields = fields;
  if (sorted) input.sort = [{}];
  return finish(input);
}

/** From a POST listRecords JSON body (timeZone and userLocale stay in the query). */
export function paramsFromBody(body: unknown): ParamsResult {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { error: "Invalid request: the body must be a JSON object." };
  }
  return finish(body as Record<string, unknown>);
}
