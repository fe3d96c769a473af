/**
 * Filters over a whole copy (the contract's `type`, `q` and `modified_after`), checked against
 * the chunks' digests first (src/sync/digests.ts).
 */
import type { IntegrationItem } from "../contract/item.ts";
import { escapeText } from "./digests.ts";

/** Filters over the whole copy (the contract's `type`, `q` and `modified_after`). */
export interface CopyFilters {
  types: readonly string[];
  /** Lower-cased; "" matches every name. */
  q: string;
  /** Epoch ms; items modified strictly later. */
  modifiedAfter: number | null;
}

export const NO_FILTERS: CopyFilters = { types: [], q: "", modifiedAfter: null };

export function isFiltered(filters: CopyFilters): boolean {
  return filters.types.length > 0 || filters.q !== "" || filters.modifiedAfter !== null;
}

export function matches(item: IntegrationItem, filters: CopyFilters): boolean {
  if (filters.types.length > 0 && !filters.types.includes(item.type)) return false;
  if (filters.q !== "" && !item.name.toLowerCase().includes(filters.q)) return false;
  if (filters.modifiedAfter !== null) {
    const modified = item.last_modified_time === null ? NaN : Date.parse(item.last_modified_time);
    if (!(modified > filters.modifiedAfter)) return false;
  }
  return true;
}

/**
 * Whether a digest line may match: never false for an item that matches (a true may still be
 * refused by `matches`, which every item is checked with).
 */
export function digestFilter(filters: CopyFilters): (line: string) => boolean {
  const needle = escapeText(filters.q);
  return (line) => {
    const [type, modified, name] = line.split("\t", 3);
    if (filters.types.length > 0 && !filters.types.includes(type)) return false;
    if (filters.modifiedAfter !== null && !(Number(modified || NaN) > filters.modifiedAfter)) {
      return false;
    }
    return name.includes(needle);
  };
}
