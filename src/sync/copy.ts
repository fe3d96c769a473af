/**
 * A connection's synced copy: one generation per complete sync, its items in listing order in
 * numbered chunks of at most CHUNK_ITEMS items and CHUNK_BYTES of UTF-8 JSON: half of Deno KV's
 * 64 KiB per value, because a string holding any character beyond Latin-1 is kept as UTF-16.
 * A page of 1,000 items is one getMany.
 */
import type { IntegrationItem } from "../contract/item.ts";
import { type ChunkEntry, digestLine, entryLine, parseEntry } from "./digests.ts";
import { type CopyFilters, digestFilter, isFiltered, matches } from "./filters.ts";
import { HubError } from "../errors.ts";
import { parseJson } from "../json.ts";
import type { Store, StoreWrite } from "../store/store.ts";

export const CHUNK_ITEMS = 200;
export const CHUNK_BYTES = 30_000;
/** Chunks read per round trip while a filtered read scans the copy (about 1 MB at most). */
export const SCAN_BATCH = 32;
/** Chunks' entries read per round trip to learn what a copy holds (under 1 MB). */
export const ENTRIES_BATCH = 128;
/**
 * Chunks hold fewer than CHUNK_ITEMS when items are large; an unfiltered page that knows no
 * better reads as many chunks as items of this size would need.
 */
const TYPICAL_CHUNK_ITEMS = 100;

/** Where a read of a copy continues: a chunk and the offset of the next item in it. */
export interface CopyPosition {
  chunk: number;
  offset: number;
  /**
   * Items a chunk held in the pages read so far (rounded down): sizes the next page's read, so
   * every page after the first is one round trip whatever the items' size.
   */
  perChunk?: number;
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

/**
 * Staged changes or a copy went missing (expired, evicted): the sync fails, and the
 * next one starts over as a full listing.
 */
export class CopyIncompleteError extends HubError {
  readonly code = "sync_copy_incomplete";
  readonly status = 503;
}

export class CopyStore {
  constructor(private readonly store: Store, private readonly key: string) {}

  #chunkKey(generation: number, chunk: number): string {
    return `${this.key}:copy:${generation}:${chunk}`;
  }

  /**
   * Writes a chunk with its digest and its entries (src/sync/digests.ts): a tenth of the
   * chunk's size each, so a filtered read scans digests and opens only the chunks that hold a
   * match, and a full listing reads what a copy holds from the entries.
   */
  chunkWrites(
    generation: number,
    chunk: number,
    items: IntegrationItem[],
    namedParents: readonly (string | undefined)[] = [],
  ): StoreWrite[] {
    return [
      { key: this.#chunkKey(generation, chunk), value: JSON.stringify(items) },
      { key: this.#digestKey(generation, chunk), value: items.map(digestLine).join("\n") },
      {
        key: this.#entriesKey(generation, chunk),
        value: items.map((item, i) => entryLine(item, namedParents[i])).join("\n"),
      },
    ];
  }

  /**
   * A generation's first `chunks` chunks with the parent each item names unlinked, a batch at
   * a time (two keys a chunk: SCAN_BATCH / 2 chunks a round trip). Chunks written before
   * entries were kept name none.
   */
  async *scanNamedParents(
    generation: number,
    chunks: number,
  ): AsyncGenerator<{ items: IntegrationItem[]; namedParents: (string | undefined)[] }> {
    const batch = SCAN_BATCH / 2;
    for (let from = 0; from < chunks; from += batch) {
      const count = Math.min(batch, chunks - from);
      const keys = Array.from({ length: count }, (_, i) => [
        this.#chunkKey(generation, from + i),
        this.#entriesKey(generation, from + i),
      ]).flat();
      const raw = await this.store.getMany(keys);
      for (let i = 0; i < count; i++) {
        const [items, entries] = [raw[2 * i], raw[2 * i + 1]];
        if (items === null) {
          throw new CopyIncompleteError(
            "Part of the copy being written is gone; the next sync lists again.",
          );
        }
        yield {
          items: parseJson(items) as IntegrationItem[],
          namedParents: entries?.split("\n").map((line) => parseEntry(line).namedParent) ?? [],
        };
      }
    }
  }

  /**
   * What a generation's first `chunks` chunks hold, by their entries (GenerationMeta.entries
   * says it has them): each item's id and content hash, ENTRIES_BATCH chunks a round trip.
   */
  async *scanEntries(generation: number, chunks: number): AsyncGenerator<ChunkEntry[]> {
    for (let from = 0; from < chunks; from += ENTRIES_BATCH) {
      const count = Math.min(ENTRIES_BATCH, chunks - from);
      const keys = Array.from({ length: count }, (_, i) => this.#entriesKey(generation, from + i));
      for (const entries of await this.store.getMany(keys)) {
        if (entries === null) {
          throw new CopyIncompleteError("Part of a copy is gone; the next sync lists again.");
        }
        yield entries.split("\n").map(parseEntry);
      }
    }
  }

  #entriesKey(generation: number, chunk: number): string {
    return `${this.#chunkKey(generation, chunk)}:entries`;
  }

  #digestKey(generation: number, chunk: number): string {
    return `${this.#chunkKey(generation, chunk)}:digest`;
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

  /**
   * The items of a generation's first `chunks` chunks (all of them when null), a batch of
   * chunks at a time (bounded memory).
   */
  async *scan(generation: number, chunks: number | null = null): AsyncGenerator<IntegrationItem[]> {
    const end = chunks ?? Infinity;
    for (let chunk = 0; chunk < end; chunk += SCAN_BATCH) {
      const found = await this.readChunks(generation, chunk, Math.min(SCAN_BATCH, end - chunk));
      for (const items of found) {
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
    if (isFiltered(filters)) return await this.#filteredPage(generation, position, limit, filters);
    const items: IntegrationItem[] = [];
    let { chunk, offset } = position;
    let [seenChunks, seenItems] = [0, 0];
    const next = (at: CopyPosition): CopyPosition => {
      const perChunk = seenChunks === 0 ? position.perChunk : Math.floor(seenItems / seenChunks);
      return perChunk === undefined ? at : { ...at, perChunk: Math.max(1, perChunk) };
    };
    while (true) {
      const batch = Math.min(
        SCAN_BATCH,
        Math.ceil((limit - items.length + offset) / (position.perChunk ?? TYPICAL_CHUNK_ITEMS)) +
          1,
      );
      const chunks = await this.readChunks(generation, chunk, batch);
      for (const found of chunks) {
        if (found === null) return { items, next: null };
        seenChunks++;
        seenItems += found.length;
        for (; offset < found.length; offset++) {
          if (items.length === limit) return { items, next: next({ chunk, offset }) };
          items.push(found[offset]);
        }
        chunk++;
        offset = 0;
      }
      if (items.length === limit) {
        const more = await this.readChunks(generation, chunk, 1);
        return { items, next: more[0] === null ? null : next({ chunk, offset: 0 }) };
      }
    }
  }

  /** Scans digests a batch at a time and opens only the chunks with a match in them. */
  async #filteredPage(
    generation: number,
    position: CopyPosition,
    limit: number,
    filters: CopyFilters,
  ): Promise<{ items: IntegrationItem[]; next: CopyPosition | null }> {
    const items: IntegrationItem[] = [];
    const wanted = digestFilter(filters);
    let { chunk, offset } = position;
    while (true) {
      const keys = Array.from(
        { length: SCAN_BATCH },
        (_, i) => this.#digestKey(generation, chunk + i),
      );
      const digests = await this.store.getMany(keys);
      const end = digests.indexOf(null);
      const present = end < 0 ? digests.length : end;
      const hits: number[] = [];
      for (let i = 0; i < present; i++) {
        const lines = digests[i]!.split("\n").slice(i === 0 ? offset : 0);
        if (lines.some(wanted)) hits.push(chunk + i);
      }
      const opened = hits.length === 0 ? [] : await this.store.getMany(
        hits.map((n) => this.#chunkKey(generation, n)),
      );
      for (const [h, raw] of opened.entries()) {
        const found = (raw === null ? [] : parseJson(raw)) as IntegrationItem[];
        let at = hits[h] === chunk ? offset : 0;
        for (; at < found.length; at++) {
          if (items.length === limit) return { items, next: { chunk: hits[h], offset: at } };
          if (matches(found[at], filters)) items.push(found[at]);
        }
        if (items.length === limit) {
          // The page ends with this chunk: the next one, unless the copy is known to end here.
          const following = hits[h] + 1;
          const last = end >= 0 && following >= chunk + present;
          return { items, next: last ? null : { chunk: following, offset: 0 } };
        }
      }
      if (end >= 0) return { items, next: null };
      chunk += present;
      offset = 0;
    }
  }

  /** The keys of a generation's first `chunks` chunks, digests and entries (to delete them). */
  generationKeys(generation: number, chunks: number): string[] {
    return Array.from({ length: chunks }, (_, chunk) => [
      this.#chunkKey(generation, chunk),
      this.#digestKey(generation, chunk),
      this.#entriesKey(generation, chunk),
    ]).flat();
  }
}
