/**
 * A connection's synced copy: one generation per complete sync, its items in listing order in
 * numbered chunks of at most CHUNK_ITEMS items and CHUNK_BYTES of UTF-8 JSON: half of Deno KV's
 * 64 KiB per value, because a string holding any character beyond Latin-1 is kept as UTF-16.
 * A page of 1,000 items is one getMany.
 */
import type { IntegrationItem } from "../items/item.ts";
import { parseJson } from "../json.ts";
import type { Store } from "../store/store.ts";

export const CHUNK_ITEMS = 200;
export const CHUNK_BYTES = 30_000;
/** Chunks read per round trip while a filtered read scans the copy (about 1 MB at most). */
const SCAN_BATCH = 32;
/**
 * Chunks hold fewer than CHUNK_ITEMS when items are large; an unfiltered page reads as many
 * chunks as items of this size would need, so a page of typical items is one round trip.
 */
const TYPICAL_CHUNK_ITEMS = 100;

/** Where a read of a copy continues: a chunk and the offset of the next item in it. */
export interface CopyPosition {
  chunk: number;
  offset: number;
}

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

/** Splits values into chunks of at most CHUNK_ITEMS and CHUNK_BYTES of JSON each, in order. */
export function chunkItems<T>(items: readonly T[]): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 2;
  for (const item of items) {
    const size = new TextEncoder().encode(JSON.stringify(item)).length + 1;
    if (current.length > 0 && (current.length >= CHUNK_ITEMS || bytes + size > CHUNK_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 2;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export class CopyStore {
  constructor(private readonly store: Store, private readonly key: string) {}

  #chunkKey(generation: number, chunk: number): string {
    return `${this.key}:copy:${generation}:${chunk}`;
  }

  async writeChunk(generation: number, chunk: number, items: IntegrationItem[]): Promise<void> {
    await this.store.set(this.#chunkKey(generation, chunk), JSON.stringify(items));
  }

  /** Chunks `from`.. in one round trip; null past the end of the generation. */
  async readChunks(
    generation: number,
    from: number,
    count: number,
  ): Promise<(IntegrationItem[] | null)[]> {
    const keys = Array.from({ length: count }, (_, i) => this.#chunkKey(generation, from + i));
    return (await this.store.getMany(keys)).map((raw) => {
      const items = raw === null ? null : parseJson(raw);
      return Array.isArray(items) ? items as IntegrationItem[] : null;
    });
  }

  /** Every item of a generation, a batch of chunks at a time (bounded memory). */
  async *scan(generation: number, from = 0): AsyncGenerator<IntegrationItem[]> {
    for (let chunk = from;; chunk += SCAN_BATCH) {
      const chunks = await this.readChunks(generation, chunk, SCAN_BATCH);
      for (const items of chunks) {
        if (items === null) return;
        yield items;
      }
    }
  }

  /**
   * Up to `limit` matching items from `position` on, and where the next read continues (null
   * at the end). Unfiltered, that is one round trip; filtered, chunks are scanned until the
   * page is full.
   */
  async page(
    generation: number,
    position: CopyPosition,
    limit: number,
    filters: CopyFilters,
  ): Promise<{ items: IntegrationItem[]; next: CopyPosition | null }> {
    const items: IntegrationItem[] = [];
    const filtered = isFiltered(filters);
    let { chunk, offset } = position;
    while (true) {
      const batch = filtered ? SCAN_BATCH : Math.min(
        SCAN_BATCH,
        Math.ceil((limit - items.length + offset) / TYPICAL_CHUNK_ITEMS) + 1,
      );
      const chunks = await this.readChunks(generation, chunk, batch);
      for (const found of chunks) {
        if (found === null) return { items, next: null };
        for (; offset < found.length; offset++) {
          if (items.length === limit) return { items, next: { chunk, offset } };
          if (matches(found[offset], filters)) items.push(found[offset]);
        }
        chunk++;
        offset = 0;
      }
      if (items.length === limit) {
        const more = await this.readChunks(generation, chunk, 1);
        return { items, next: more[0] === null ? null : { chunk, offset: 0 } };
      }
    }
  }

  async deleteGeneration(generation: number, chunks: number): Promise<void> {
    for (let chunk = 0; chunk < chunks; chunk++) {
      await this.store.delete(this.#chunkKey(generation, chunk));
    }
  }
}
