/**
 * What a chunk's items are, apart from the items themselves, in two small values beside it
 * (one line per item, tab-separated, text with JSON's escapes so no tab or newline is left in a
 * field):
 * - its digest, what filters look at: type, time modified (epoch ms), name (lower case); a
 *   filtered read scans digests and opens only the chunks with a match;
 * - its entries, what a full listing compares with: id, content hash, and the parent the item
 *   names when it is not linked to one yet (src/sync/parents.ts); a run learns what a copy
 *   holds from them without reading its items.
 */
import type { IntegrationItem } from "../contract/item.ts";

export interface ChunkEntry {
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

export function digestLine(item: IntegrationItem): string {
  const modified = item.last_modified_time === null ? "" : Date.parse(item.last_modified_time);
  return `${item.type}\t${modified}\t${escapeText(item.name.toLowerCase())}`;
}

export function entryLine(item: IntegrationItem, namedParent: string | undefined): string {
  const fields = [escapeText(item.id), contentHash(item)];
  if (namedParent !== undefined) fields.push(escapeText(namedParent));
  return fields.join("\t");
}

export function parseEntry(line: string): ChunkEntry {
  const [id, hash, namedParent] = line.split("\t");
  return {
    id: unescapeText(id),
    hash,
    namedParent: namedParent === undefined ? undefined : unescapeText(namedParent),
  };
}

/** JSON's escapes, character by character: a substring of a name stays a substring. */
export function escapeText(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

function unescapeText(field: string): string {
  return JSON.parse(`"${field}"`);
}
