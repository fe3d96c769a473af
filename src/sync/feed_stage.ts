/**
 * What an incremental sync gathers from a provider's change feed, staged in the store page by
 * page (so a killed sync resumes where it was), and how it is applied to the previous copy to
 * make the next generation: one batch of the previous copy's chunks at a time, the changes held
 * in memory (at most MAX_FEED_CHANGES of them, ids of `present` aside), never the whole account.
 */
import type { IntegrationItem } from "../contract/item.ts";
import { parseJson } from "../json.ts";
import type { Store, StoreWrite } from "../store/store.ts";
import type { ChangeEntry } from "./changes.ts";
import { chunkItems, CopyIncompleteError } from "./copy.ts";

/** More changes than this in one sync: a full listing is as cheap, and bounds memory. */
export const MAX_FEED_CHANGES = 20_000;
/** Previous-copy chunks applied per step (about 1,000 items: a few store commands). */
export const MERGE_STEP_CHUNKS = 8;
/** Staged changes outlive any sync that is still going on. */
const STAGE_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const READ_BATCH = 32;

/** One staged fact: an item as it is now, a deleted id, an id that exists, an id applied. */
export type StageEntry =
  | { u: IntegrationItem }
  | { d: string }
  | { p: string }
  | { m: string };

/** The staged changes of one sync, read back for the merge. */
export interface StagedChanges {
  upserts: Map<string, IntegrationItem>;
  deletions: Set<string>;
  /** Ids a deletion-checking feed named; null for a feed without a deletion check. */
  present: Set<string> | null;
  /** Upserts already applied to an item of the previous copy (by earlier merge steps). */
  matched: Set<string>;
}

export class FeedStage {
  constructor(
    private readonly store: Store,
    private readonly key: string,
    private readonly generation: number,
  ) {}

  #chunkKey(part: "changes" | "matched", chunk: number): string {
    return `${this.key}:feed:${this.generation}:${part}:${chunk}`;
  }

  /** The writes that stage entries after the `from` chunks already staged. */
  writes(part: "changes" | "matched", from: number, entries: StageEntry[]): StoreWrite[] {
    return chunkItems(entries).map((chunk, i) => ({
      key: this.#chunkKey(part, from + i),
      value: JSON.stringify(chunk),
      ttlMs: STAGE_TTL_MS,
    }));
  }

  /** Everything staged, `changes` chunks and `matched` chunks as counted by the checkpoint. */
  async read(changes: number, matched: number, deletionCheck: boolean): Promise<StagedChanges> {
    const staged: StagedChanges = {
      upserts: new Map(),
      deletions: new Set(),
      present: deletionCheck ? new Set() : null,
      matched: new Set(),
    };
    for (const [part, count] of [["changes", changes], ["matched", matched]] as const) {
      for (let from = 0; from < count; from += READ_BATCH) {
        const keys = Array.from(
          { length: Math.min(READ_BATCH, count - from) },
          (_, i) => this.#chunkKey(part, from + i),
        );
        for (const raw of await this.store.getMany(keys)) {
          if (raw === null) {
            throw new CopyIncompleteError(
              "The sync's staged changes are gone; it will list again.",
            );
          }
          for (const entry of parseJson(raw) as StageEntry[]) addEntry(staged, entry);
        }
      }
    }
    return staged;
  }

  /** Round trips `read` takes for these counts. */
  static readCost(changes: number, matched: number): number {
    return Math.ceil(changes / READ_BATCH) + Math.ceil(matched / READ_BATCH);
  }

  /** The keys of what is staged (to delete them). */
  keys(changes: number, matched: number): string[] {
    return [
      ...Array.from({ length: changes }, (_, chunk) => this.#chunkKey("changes", chunk)),
      ...Array.from({ length: matched }, (_, chunk) => this.#chunkKey("matched", chunk)),
    ];
  }
}

function addEntry(staged: StagedChanges, entry: StageEntry): void {
  if ("u" in entry) {
    // A later page's state of an item replaces an earlier one's.
    staged.upserts.delete(entry.u.id);
    staged.upserts.set(entry.u.id, entry.u);
  } else if ("d" in entry) staged.deletions.add(entry.d);
  else if ("p" in entry) staged.present?.add(entry.p);
  else staged.matched.add(entry.m);
}

/** Whether the item of the previous copy with this id is gone. */
export function isDeleted(staged: StagedChanges, id: string): boolean {
  if (staged.deletions.has(id)) return true;
  return staged.present !== null && !staged.present.has(id) && !staged.upserts.has(id);
}

/** What one merge step makes of a batch of the previous copy. */
export interface MergedBatch {
  /** The next generation's items for this batch, in order. */
  items: IntegrationItem[];
  /** Change log entries: items whose content changed, and deletions. */
  changes: ChangeEntry[];
  /** Upserts applied to an item of the previous copy in this batch. */
  matched: string[];
}

/**
 * Applies the staged changes to a batch of the previous copy's items; with `last`, appends the
 * upserts no batch matched (new items). `same` tells whether two states of an item are equal.
 */
export function mergeBatch(
  staged: StagedChanges,
  previous: readonly IntegrationItem[],
  last: boolean,
  changedAt: string,
  same: (a: IntegrationItem, b: IntegrationItem) => boolean,
): MergedBatch {
  const items: IntegrationItem[] = [];
  const changes: ChangeEntry[] = [];
  const matched: string[] = [];
  for (const item of previous) {
    if (isDeleted(staged, item.id)) {
      changes.push({ action: "delete", id: item.id, item: null, changed_at: changedAt });
      continue;
    }
    const current = staged.upserts.get(item.id);
    if (current === undefined) {
      items.push(item);
      continue;
    }
    matched.push(item.id);
    staged.matched.add(item.id);
    items.push(current);
    if (!same(item, current)) {
      changes.push({ action: "upsert", id: item.id, item: current, changed_at: changedAt });
    }
  }
  if (last) {
    for (const [id, item] of staged.upserts) {
      if (staged.matched.has(id) || staged.deletions.has(id)) continue;
      items.push(item);
      changes.push({ action: "upsert", id, item, changed_at: changedAt });
    }
  }
  return { items, changes, matched };
}
