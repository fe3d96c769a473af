/**
 * A connection's change log: what each completed sync changed in the copy, as segments of
 * entries per generation, listed in an index. Reading from a position returns each item once,
 * at its latest change, so a consumer that follows `next_since` sees every change exactly once
 * in its latest state. Segments are kept at least HISTORY_MS.
 */
import { z } from "zod";
import type { IntegrationItem } from "../contract/item.ts";
import { parseJson } from "../json.ts";
import type { Store, StoreWrite } from "../store/store.ts";

/** Seven days, as the contract promises, and an hour more. */
export const HISTORY_MS = 7 * 24 * 60 * 60 * 1000 + 60 * 60 * 1000;
const READ_BATCH = 10;

export interface ChangeEntry {
  action: "upsert" | "delete";
  id: string;
  item: IntegrationItem | null;
  changed_at: string;
}

/** Where a reader of the log stands: changes from this generation's `offset`-th entry on. */
export interface LogPosition {
  generation: number;
  offset: number;
}

const indexSchema = z.object({
  /** Generations up to this one have been pruned: a position at or before it is too old. */
  prunedThrough: z.number(),
  segments: z.array(z.object({
    generation: z.number(),
    chunks: z.number(),
    entries: z.number(),
    at: z.number(),
  })),
});
type LogIndex = z.infer<typeof indexSchema>;

export class SinceExpiredError extends Error {}

export class ChangeLog {
  constructor(
    private readonly store: Store,
    private readonly key: string,
    private readonly clock: () => number,
  ) {}

  #segmentKey(generation: number, chunk: number): string {
    return `${this.key}:changes:${generation}:${chunk}`;
  }

  get #indexKey(): string {
    return `${this.key}:changes:index`;
  }

  async #index(): Promise<LogIndex> {
    const raw = await this.store.get(this.#indexKey);
    const parsed = indexSchema.safeParse(raw === null ? null : parseJson(raw));
    return parsed.success ? parsed.data : { prunedThrough: 0, segments: [] };
  }

  /** One chunk of a generation's changes; it counts only once a commit lists it. */
  chunkWrite(generation: number, chunk: number, entries: ChangeEntry[]): StoreWrite {
    return {
      key: this.#segmentKey(generation, chunk),
      value: JSON.stringify(entries),
      ttlMs: HISTORY_MS * 2,
    };
  }

  /**
   * What lists a completed generation's chunks (the index's new value) and prunes what is older
   * than the history kept (keys to delete): one read of the index now, the writes for later.
   */
  async commit(
    generation: number,
    chunks: number,
    entries: number,
  ): Promise<{ write: StoreWrite; deletes: string[] }> {
    const index = await this.#index();
    const now = this.clock();
    const kept = index.segments.filter((s) => s.generation !== generation);
    const expired = kept.filter((s) => s.at < now - HISTORY_MS);
    const segments = [
      ...kept.filter((s) => s.at >= now - HISTORY_MS),
      { generation, chunks, entries, at: now },
    ];
    const prunedThrough = Math.max(index.prunedThrough, ...expired.map((s) => s.generation));
    return {
      write: { key: this.#indexKey, value: JSON.stringify({ prunedThrough, segments }) },
      deletes: this.#segmentKeys(expired),
    };
  }

  #segmentKeys(segments: LogIndex["segments"]): string[] {
    return segments.flatMap((segment) =>
      Array.from(
        { length: segment.chunks },
        (_, chunk) => this.#segmentKey(segment.generation, chunk),
      )
    );
  }

  /**
   * Up to `limit` changes after `since`, each item once at its latest change, oldest first;
   * where to continue, and whether more follow. Throws SinceExpiredError for a position older
   * than the history kept.
   */
  async read(
    since: LogPosition,
    limit: number,
  ): Promise<{ changes: ChangeEntry[]; next: LogPosition; hasMore: boolean }> {
    const index = await this.#index();
    if (since.generation <= index.prunedThrough) throw new SinceExpiredError();
    const segments = index.segments.filter((s) => s.generation >= since.generation);
    const entries: { entry: ChangeEntry; at: LogPosition }[] = [];
    for (const segment of segments) {
      let offset = 0;
      for (let chunk = 0; chunk < segment.chunks; chunk += READ_BATCH) {
        const count = Math.min(READ_BATCH, segment.chunks - chunk);
        const keys = Array.from(
          { length: count },
          (_, i) => this.#segmentKey(segment.generation, chunk + i),
        );
        for (const raw of await this.store.getMany(keys)) {
          const chunkEntries = raw === null ? [] : parseJson(raw);
          for (const entry of Array.isArray(chunkEntries) ? chunkEntries as ChangeEntry[] : []) {
            const at = { generation: segment.generation, offset: offset++ };
            if (at.generation > since.generation || at.offset >= since.offset) {
              entries.push({ entry, at });
            }
          }
        }
      }
    }
    const last = new Map<string, number>();
    entries.forEach(({ entry }, i) => last.set(entry.id, i));
    const latest = entries.filter(({ entry }, i) => last.get(entry.id) === i);
    const page = latest.slice(0, limit);
    const end = segments.at(-1);
    const next = page.length < latest.length
      ? { generation: page.at(-1)!.at.generation, offset: page.at(-1)!.at.offset + 1 }
      : end === undefined
      ? since
      : { generation: end.generation + 1, offset: 0 };
    return { changes: page.map((p) => p.entry), next, hasMore: page.length < latest.length };
  }

  /** Forgets the whole log (a disconnect). */
  async clear(): Promise<void> {
    const index = await this.#index();
    await this.store.deleteMany([...this.#segmentKeys(index.segments), this.#indexKey]);
  }
}
