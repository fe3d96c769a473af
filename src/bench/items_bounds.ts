/**
 * The lower bound each provider's rate limits and the per-call time allow for a listing of a
 * given shape: what the bench divides its wall times by.
 */
import type { IntegrationItem } from "../contract/item.ts";

export interface Bound {
  seconds: number;
  formula: string;
}

/**
 * The time one provider call takes at the provider: the added latency alone, or as measured at
 * the sandbox (that latency plus the provider's own work, which no client can save).
 */
export interface CallTime {
  seconds: number;
  label: string;
}

/** A bound for `listers` users listing the same provider account at once. */
export type BoundOf = (shape: Shape, call: CallTime, listers?: number) => Bound;

const pages = (n: number) => Math.max(1, Math.ceil(n / 100));

/** What the bounds need to know of a listing, kept compact so the client side stays small. */
export class Shape {
  readonly perType = new Map<string, number>();
  /** Table id to base id. */
  readonly tableBase = new Map<string, string>();
  readonly recordsPerTable = new Map<string, number>();
  readonly sample: IntegrationItem[] = [];
  count = 0;

  add(item: IntegrationItem): void {
    this.count++;
    if (this.sample.length < 100) this.sample.push(item);
    this.perType.set(item.type, (this.perType.get(item.type) ?? 0) + 1);
    if (item.type === "table") this.tableBase.set(item.id, item.parent_id!);
    if (item.type === "record") {
      this.recordsPerTable.set(
        item.parent_id!,
        (this.recordsPerTable.get(item.parent_id!) ?? 0) + 1,
      );
    }
  }
}

/**
 * HubSpot: three chains of ceil(n/100) pages; at most 100 calls per 10 s per account, whoever
 * calls (`listers` users listing the same portal at once make that many times the calls).
 */
export function hubspotBound(shape: Shape, call: CallTime, listers = 1): Bound {
  const chains = ["contact", "company", "deal"].map((t) => pages(shape.perType.get(t) ?? 0));
  const calls = chains.reduce((a, b) => a + b, 0) * listers;
  const longest = Math.max(...chains);
  const rate = Math.floor((calls - 1) / 100) * 10 + call.seconds;
  return {
    seconds: Math.max(longest * call.seconds, rate),
    formula:
      `max(longest chain ${longest} x ${call.label}, floor((${calls} calls - 1) / 100) x 10 s + ${call.label})`,
  };
}

/**
 * Airtable: per base, one schema call then each table's record pages; 5 calls/s per base,
 * whoever calls (`listers` users listing the same bases at once).
 */
export function airtableBound(shape: Shape, call: CallTime, listers = 1): Bound {
  const tablesByBase = new Map<string, string[]>();
  for (const [table, base] of shape.tableBase) {
    tablesByBase.set(base, [...(tablesByBase.get(base) ?? []), table]);
  }
  let worst = 0;
  let worstCalls = 0;
  for (const tables of tablesByBase.values()) {
    const tablePages = tables.map((t) => pages(shape.recordsPerTable.get(t) ?? 0));
    const calls = (1 + tablePages.reduce((a, b) => a + b, 0)) * listers;
    const chain = (2 + Math.max(0, ...tablePages)) * call.seconds;
    const rate = call.seconds + Math.floor((calls - 1) / 5) * 1 + call.seconds;
    if (Math.max(chain, rate) > worst) {
      worst = Math.max(chain, rate);
      worstCalls = calls;
    }
  }
  return {
    seconds: worst,
    formula:
      `busiest base: ${call.label} (bases) + floor((${worstCalls} calls - 1) / 5) x 1 s + ${call.label}`,
  };
}

/** Notion: one search chain of ceil(n/100) pages; about 3 calls per second per connection. */
export function notionBound(shape: Shape, call: CallTime): Bound {
  const calls = pages(shape.count);
  const rate = Math.floor((calls - 1) / 3) + call.seconds;
  return {
    seconds: Math.max(calls * call.seconds, rate),
    formula:
      `max(chain ${calls} x ${call.label}, floor((${calls} calls - 1) / 3) x 1 s + ${call.label})`,
  };
}
