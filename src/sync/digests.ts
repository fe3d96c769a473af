/**
 * A chunk's digest: one line per item with what filters and comparisons look at, a tenth of the
 * chunk's size, so a filtered read scans digests and opens only the chunks with a match, and a
 * full listing learns what a copy holds (ids and content hashes) without reading its items.
 *
 * A line: type, time modified (epoch ms), name (lower case), id, content hash, and the parent
 * the item names when it is not linked to one yet (src/sync/parents.ts); tab-separated, text
 * with JSON's escapes (so no tab or newline is left in a field).
 */
import type { IntegrationItem } from "../contract/item.ts";

export interface DigestEntry {
  id: string;
  hash: string;
  namedParent: string | undefined;
}

/** A short hash of an item's whole content: two items with the same one are the same item. */
export function contentHash(item: IntegrationItem): string {
  const text = JSON.stringify(item);
  // FNV-1a and a second, differently mixed 32-bit hash: 64 bits between them.
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

export function digestLine(item: IntegrationItem, namedParent: string | undefined): string {
  const modified = item.last_modified_time === null ? "" : Date.parse(item.last_modified_time);
  const fields = [
    item.type,
    String(modified),
    escapeText(item.name.toLowerCase()),
    escapeText(item.id),
    contentHash(item),
  ];
  if (namedParent !== undefined) fields.push(escapeText(namedParent));
  return fields.join("\t");
}

/** What a line says of its item's identity; null for a line written before lines held ids. */
export function digestEntry(line: string): DigestEntry | null {
  const fields = line.split("\t");
  if (fields.length < 5) return null;
  return {
    id: unescapeText(fields[3]),
    hash: fields[4],
    namedParent: fields[5] === undefined ? undefined : unescapeText(fields[5]),
  };
}

/** JSON's escapes, character by character: a substring of a name stays a substring. */
export function escapeText(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

function unescapeText(field: string): string {
  return JSON.parse(`"${field}"`);
}
