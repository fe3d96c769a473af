/**
 * Filters over a whole copy (the contract's `type`, `q` and `modified_after`) and the digests
 * they are checked against first: one line per item with what the filters look at.
 */
import type { IntegrationItem } from "../contract/item.ts";

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
 * An item as its chunk's digest keeps it: type, time modified, name (lower case, escaped), and
 * the parent it names when it is not linked to one yet (src/sync/parents.ts).
 */
export function digestLine(item: IntegrationItem, namedParent: string | undefined): string {
  const modified = item.last_modified_time === null ? "" : Date.parse(item.last_modified_time);
  const line = `${item.type}\t${modified}\t${escapeLine(item.name.toLowerCase())}`;
  return namedParent === undefined ? line : `${line}\t${escapeLine(namedParent)}`;
}

/** The parent a digest line names, if any. */
export function namedParentOf(line: string): string | undefined {
  const parent = line.split("\t")[3];
  return parent === undefined ? undefined : JSON.parse(`"${parent}"`);
}

/** JSON's escapes, character by character: a substring of a name stays a substring. */
function escapeLine(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/**
 * Whether a digest line may match: never false for an item that matches (a true may still be
 * refused by `matches`, which every item is checked with).
 */
export function digestFilter(filters: CopyFilters): (line: string) => boolean {
  const needle = escapeLine(filters.q);
  return (line) => {
    const [type, modified, name] = line.split("\t", 3);
    if (filters.types.length > 0 && !filters.types.includes(type)) return false;
    if (filters.modifiedAfter !== null && !(Number(modified || NaN) > filters.modifiedAfter)) {
      return false;
    }
    return name.includes(needle);
  };
}
