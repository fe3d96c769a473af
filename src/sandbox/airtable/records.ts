/**
 * List records: GET /v0/{baseId}/{tableIdOrName} and POST .../listRecords. Records come in a
 * stable order, those the filterByFormula keeps (formula.ts); `offset` is "itr…/rec…" (one iterator per listing, the record that starts the
 * next page) and is absent on the last page; an expired iterator answers 422
 * LIST_RECORDS_ITERATOR_NOT_AVAILABLE.
 */
import type { Hono } from "hono";
import { type ApiContext, type ApiEnv, invalidOffset, reachBase } from "./access.ts";
import type { AirtableField, AirtableRecord, AirtableTable } from "./data.ts";
import { apiError, invalidRequest, routeNotFound } from "./errors.ts";
import {
  type ListParams,
  paramsFromBody,
  paramsFromQuery,
  type ParamsResult,
} from "./list_params.ts";
import { type AirtableState, ITERATOR_TTL_MS, randomId } from "./state.ts";

const OFFSET = /^(itr[A-Za-z0-9]{14})\/(rec[A-Za-z0-9]{14})$/;

export function registerRecords(app: Hono<ApiEnv>, state: AirtableState): void {
  app.get("/v0/:baseId/:table", (c) => list(state, c, paramsFromQuery(c.req.url)));
  app.get("/v0/:baseId/:table/:recordId", (c) => getRecord(state, c));
  app.post("/v0/:baseId/:table/listRecords", async (c) => {
    const body: unknown = await c.req.json().catch(() => undefined);
    return list(state, c, paramsFromBody(body));
  });
}

/** The base and table named in the path, or the error that answers instead. */
function reachTable(state: AirtableState, c: ApiContext): AirtableTable | Response {
  const base = reachBase(state, c, "data.records:read");
  if (base instanceof Response) return base;
  const key = c.req.param("table") ?? "";
  const table = base.tables.find((t) => t.id === key || t.name === key);
  return table ?? apiError(
    404,
    "TABLE_NOT_FOUND",
    `Could not find table ${key.slice(0, 100)} in application ${base.id}`,
  );
}

/** GET one record: what the official client's find() and record.fetch() call. */
function getRecord(state: AirtableState, c: ApiContext): Response {
  const table = reachTable(state, c);
  if (table instanceof Response) return table;
  const record = table.records.find((r) => r.id === c.req.param("recordId"));
  if (record === undefined) return routeNotFound();
  return c.json(present(record, table.fields, false));
}

async function list(
  state: AirtableState,
  c: ApiContext,
  parsed: ParamsResult,
): Promise<Response> {
  const table = reachTable(state, c);
  if (table instanceof Response) return table;
  const baseId = c.req.param("baseId") ?? "";
  if ("error" in parsed) {
    return parsed.type === undefined
      ? invalidRequest(parsed.error)
      : apiError(422, parsed.type, parsed.error);
  }
  const params = parsed.params;
  if (
    params.view !== null && !table.views.some((v) => v.id === params.view || v.name === params.view)
  ) {
    return apiError(422, "VIEW_NAME_NOT_FOUND", `View ${params.view.slice(0, 100)} not found`);
  }
  const fields = chosenFields(table, params.fields);
  if (typeof fields === "string") {
    return apiError(422, "UNKNOWN_FIELD_NAME", `Unknown field name: "${fields.slice(0, 100)}"`);
  }
  const records = params.filter === null ? table.records : table.records.filter(params.filter);
  const position = await startOf(state, baseId, table.id, records, params);
  if (position instanceof Response) return position;
  const { start, iteratorId } = position;
  const page = records.slice(start, start + Math.min(params.pageSize, position.remaining));
  const following = records[start + page.length];
  const remaining = position.remaining - page.length;
  let offset: string | undefined;
  if (following !== undefined && remaining !== 0) {
    offset = `${iteratorId}/${following.id}`;
    await state.records.iterators.set(iteratorId, {
      baseId,
      tableId: table.id,
      expired: false,
      remaining: Number.isFinite(remaining) ? remaining : null,
      formula: params.formula,
    }, ITERATOR_TTL_MS);
  }
  return c.json({
    records: page.map((r) => present(r, fields, params.byFieldId)),
    ...(offset === undefined ? {} : { offset }),
  });
}

interface Position {
  start: number;
  iteratorId: string;
  /** Records the listing may still return (maxRecords); Infinity without a bound. */
  remaining: number;
}

/** Where this page starts: the first record, or the one an offset names in a live iterator. */
async function startOf(
  state: AirtableState,
  baseId: string,
  tableId: string,
  records: AirtableRecord[],
  params: ListParams,
): Promise<Position | Response> {
  if (params.offset === null) {
    return {
      start: 0,
      iteratorId: randomId("itr", 14),
      remaining: params.maxRecords ?? Infinity,
    };
  }
  const match = OFFSET.exec(params.offset);
  const iterator = match === null ? undefined : await state.records.iterators.get(match[1]);
  if (
    match === null || !iterator || iterator.baseId !== baseId || iterator.tableId !== tableId ||
    iterator.formula !== params.formula
  ) {
    return invalidOffset(params.offset);
  }
  if (iterator.expired) {
    state.counters.expiredIterators++;
    return apiError(422, "LIST_RECORDS_ITERATOR_NOT_AVAILABLE");
  }
  const start = records.findIndex((r) => r.id === match[2]);
  if (start < 0) return invalidOffset(params.offset);
  return { start, iteratorId: match[1], remaining: iterator.remaining ?? Infinity };
}

/** The fields to return (all when not asked), or the first unknown name asked for. */
function chosenFields(table: AirtableTable, asked: string[] | null): AirtableField[] | string {
  if (asked === null) return table.fields;
  const chosen: AirtableField[] = [];
  for (const key of asked) {
    const field = table.fields.find((f) => f.id === key || f.name === key);
    if (field === undefined) return key;
    if (!chosen.includes(field)) chosen.push(field);
  }
  return chosen;
}

function present(record: AirtableRecord, fields: AirtableField[], byFieldId: boolean) {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (field.id in record.fields) out[byFieldId ? field.id : field.name] = record.fields[field.id];
  }
  return { id: record.id, createdTime: record.createdTime, fields: out };
}
