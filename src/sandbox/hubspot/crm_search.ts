/**
 * CRM search as HubSpot answers it: filter groups (OR) of filters (AND), one sort, at most 200
 * results a page, paging by offset up to the 10,000th result and a 400 beyond, archived records
 * never included. Dates compare as instants (a filter value in epoch ms or ISO 8601).
 */
import { z } from "zod";
import { present } from "./crm_query.ts";
import type { CrmRecord, ObjectType } from "./data.ts";

export const MAX_SEARCH_LIMIT = 200;
/** Search never pages past this many results of one query. */
export const SEARCH_RESULT_CAP = 10_000;
const DEFAULT_SEARCH_LIMIT = 10;

const OPERATORS = [
  "EQ",
  "NEQ",
  "LT",
  "LTE",
  "GT",
  "GTE",
  "BETWEEN",
  "IN",
  "NOT_IN",
  "HAS_PROPERTY",
  "NOT_HAS_PROPERTY",
] as const;
type Operator = typeof OPERATORS[number];

const filterSchema = z.object({
  propertyName: z.string().min(1),
  operator: z.enum(OPERATORS),
  value: z.union([z.string(), z.number()]).optional(),
  highValue: z.union([z.string(), z.number()]).optional(),
  values: z.array(z.union([z.string(), z.number()])).optional(),
});
type Filter = z.infer<typeof filterSchema>;

const searchSchema = z.object({
  filterGroups: z.array(z.object({ filters: z.array(filterSchema).max(6) })).max(5).default([]),
  sorts: z.array(z.object({
    propertyName: z.string().min(1),
    direction: z.enum(["ASCENDING", "DESCENDING"]).default("ASCENDING"),
  })).max(1).default([]),
  properties: z.array(z.string()).optional(),
  limit: z.number().int().min(1).max(MAX_SEARCH_LIMIT).default(DEFAULT_SEARCH_LIMIT),
  after: z.union([z.string().regex(/^\d{1,9}$/), z.number().int().min(0)]).optional(),
});

export interface SearchQuery {
  groups: Filter[][];
  sort: { propertyName: string; direction: "ASCENDING" | "DESCENDING" } | null;
  properties: string[] | null;
  limit: number;
  offset: number;
}

/** The request body, or the message of a 400 VALIDATION_ERROR. */
export function parseSearch(body: unknown): SearchQuery | string {
  const parsed = searchSchema.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `Invalid input JSON on line 1: ${issue.path.join(".") || "body"}: ${issue.message}`;
  }
  const groups = parsed.data.filterGroups.map((group) => group.filters);
  if (groups.flat().length > 18) return "Too many filters: at most 18 across all filter groups.";
  for (const filter of groups.flat()) {
    const missing = problem(filter);
    if (missing !== null) return missing;
  }
  return {
    groups,
    sort: parsed.data.sorts[0] ?? null,
    properties: parsed.data.properties ?? null,
    limit: parsed.data.limit,
    offset: Number(parsed.data.after ?? 0),
  };
}

function problem(filter: Filter): string | null {
  const { operator } = filter;
  if (operator === "IN" || operator === "NOT_IN") {
    return filter.values === undefined ? `${operator} needs "values".` : null;
  }
  if (operator === "HAS_PROPERTY" || operator === "NOT_HAS_PROPERTY") return null;
  if (filter.value === undefined) return `${operator} needs a "value".`;
  if (operator === "BETWEEN" && filter.highValue === undefined) {
    return `BETWEEN needs a "highValue".`;
  }
  return null;
}

/** Properties holding instants: compared as times whatever form the filter value takes. */
const DATE_PROPERTIES = new Set([
  "createdate",
  "lastmodifieddate",
  "hs_lastmodifieddate",
  "closedate",
]);

/** A value to compare: a number for dates and numbers, else lower-cased text. */
function comparable(property: string, value: string | number): number | string {
  if (typeof value === "number") return value;
  if (DATE_PROPERTIES.has(property)) {
    const asNumber = Number(value);
    return /^-?\d+$/.test(value) ? asNumber : Date.parse(value);
  }
  const asNumber = Number(value);
  return value.trim() !== "" && Number.isFinite(asNumber) ? asNumber : value.toLowerCase();
}

function compare(a: number | string, b: number | string): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function propertyValue(record: CrmRecord, name: string): string | null {
  return name === "hs_object_id" ? record.id : record.properties[name] ?? null;
}

function test(record: CrmRecord, filter: Filter): boolean {
  const raw = propertyValue(record, filter.propertyName);
  const operator: Operator = filter.operator;
  if (operator === "HAS_PROPERTY") return raw !== null && raw !== "";
  if (operator === "NOT_HAS_PROPERTY") return raw === null || raw === "";
  if (raw === null) return operator === "NEQ" || operator === "NOT_IN";
  const name = filter.propertyName;
  const value = comparable(name, raw);
  if (operator === "IN" || operator === "NOT_IN") {
    const found = filter.values!.some((v) => compare(value, comparable(name, v)) === 0);
    return operator === "IN" ? found : !found;
  }
  const order = compare(value, comparable(name, filter.value!));
  switch (operator) {
    case "EQ":
      return order === 0;
    case "NEQ":
      return order !== 0;
    case "LT":
      return order < 0;
    case "LTE":
      return order <= 0;
    case "GT":
      return order > 0;
    case "GTE":
      return order >= 0;
    case "BETWEEN":
      return order >= 0 && compare(value, comparable(name, filter.highValue!)) <= 0;
  }
}

/** One page of a search, or the message of a 400 for paging past the cap. */
export function searchPage(type: ObjectType, records: CrmRecord[], query: SearchQuery) {
  if (query.offset + query.limit > SEARCH_RESULT_CAP) {
    return `Paging past ${SEARCH_RESULT_CAP} results is not supported: narrow the search (after + limit may be at most ${SEARCH_RESULT_CAP}).`;
  }
  const matching = records.filter((record) =>
    !record.archived &&
    (query.groups.length === 0 || query.groups.some((group) => group.every((f) => test(record, f))))
  );
  const sort = query.sort;
  if (sort !== null) {
    const sign = sort.direction === "ASCENDING" ? 1 : -1;
    const keyed = matching.map((record) => {
      const raw = propertyValue(record, sort.propertyName);
      return { record, key: raw === null ? null : comparable(sort.propertyName, raw) };
    });
    // Records without the property come last; ties keep ID order, so paging is stable.
    keyed.sort((a, b) => {
      if (a.key === null || b.key === null) return a.key === b.key ? 0 : a.key === null ? 1 : -1;
      return sign * compare(a.key, b.key) || Number(a.record.id) - Number(b.record.id);
    });
    matching.splice(0, matching.length, ...keyed.map((k) => k.record));
  }
  const page = matching.slice(query.offset, query.offset + query.limit);
  const results = page.map((record) => present(type, record, query.properties));
  const next = query.offset + query.limit;
  return {
    total: matching.length,
    results,
    ...(next < matching.length ? { paging: { next: { after: String(next) } } } : {}),
  };
}
