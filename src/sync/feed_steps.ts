/**
 * An incremental sync's steps (a provider with a change feed, after a complete full listing):
 * the feed's pages staged, a read-only check of them against the previous copy, then the merge
 * that makes the next generation from the previous one a batch of chunks at a time.
 */
import { ProviderError } from "../errors.ts";
import type { ChainPosition } from "../contract/chains.ts";
import { type Checkpoint, countTypes, EMPTY_CHECKPOINT } from "./checkpoint.ts";
import { chunkItems, CopyIncompleteError, SCAN_BATCH } from "./copy.ts";
import {
  isDeleted,
  MAX_FEED_CHANGES,
  MERGE_STEP_CHUNKS,
  mergeBatch,
  type StagedChanges,
  type StageEntry,
} from "./feed_stage.ts";
import { changeWrites } from "./full_listing.ts";
import { fingerprint, type Run, type StepResult } from "./run.ts";
import { WriteBatch } from "./writes.ts";

/**
 * One page of each of the change feed's chains, staged. A feed that turns out to hold more
 * changes than MAX_FEED_CHANGES is dropped for a full listing (`discard` deletes what the sync
 * staged so far).
 */
export async function feedStep(
  run: Run,
  checkpoint: Checkpoint,
  discard: (checkpoint: Checkpoint) => Promise<void>,
): Promise<StepResult> {
  const feed = run.provider.spec.changeFeed!;
  run.feedApi ??= await run.deps.items.connect(run.provider, run.owner, {
    log: run.log,
    background: true,
  });
  const { api, context } = run.feedApi;
  const pages = await Promise.all(
    checkpoint.positions.map((position) => feed.fetchChanges(position, api, context)),
  );
  const entries: StageEntry[] = [];
  const positions: ChainPosition[] = [];
  const watermark = { ...checkpoint.watermark };
  let changes = 0;
  pages.forEach((page, i) => {
    const position = checkpoint.positions[i];
    if (page.next !== null) {
      if (page.next === position.cursor) {
        throw new ProviderError("The provider returned the same page cursor twice; stopping.");
      }
      positions.push({ ...position, cursor: page.next });
    }
    positions.push(...page.spawn ?? []);
    for (const item of page.upserts) entries.push({ u: item });
    for (const id of page.deletions) entries.push({ d: id });
    for (const id of page.present ?? []) entries.push({ p: id });
    changes += page.upserts.length + page.deletions.length;
    Object.assign(watermark, page.watermark);
  });
  if (checkpoint.stagedChanges + changes > MAX_FEED_CHANGES) {
    run.log.info("sync", { provider: run.provider.spec.id, outcome: "feed_too_large" });
    await discard(checkpoint);
    return {
      checkpoint: {
        ...EMPTY_CHECKPOINT,
        generation: run.generation,
        positions: run.provider.spec.startChains(),
        listedAt: run.deps.clock(),
        base: checkpoint.base,
        baseChunks: checkpoint.baseChunks,
        baseEntries: checkpoint.baseEntries,
      },
      writes: new WriteBatch(),
    };
  }
  const staged = run.stage.writes("changes", checkpoint.staged, entries);
  return {
    checkpoint: {
      ...checkpoint,
      mode: positions.length === 0 ? "check" : "feed",
      positions,
      watermark,
      staged: checkpoint.staged + staged.length,
      stagedChanges: checkpoint.stagedChanges + changes,
    },
    writes: new WriteBatch().setAll(staged),
  };
}

/**
 * Reads the previous copy (a batch of chunks per round trip, nothing written) to learn whether
 * any staged change is real: a feed re-reads its overlap every time, and a copy rewritten for
 * no change would cost two writes a chunk. One step; being read-only, a resume redoes it.
 */
export async function checkStep(run: Run, checkpoint: Checkpoint): Promise<StepResult> {
  const staged = await stagedChanges(run, checkpoint);
  const found = new Set<string>();
  let changed = false;
  for (let from = 0; from < checkpoint.baseChunks && !changed; from += SCAN_BATCH) {
    const count = Math.min(SCAN_BATCH, checkpoint.baseChunks - from);
    const chunks = await run.copy.readChunks(checkpoint.base!, from, count);
    if (chunks.includes(null)) {
      throw new CopyIncompleteError(
        "Part of the previous copy is gone; the next sync lists again.",
      );
    }
    for (const item of chunks.flatMap((items) => items!)) {
      const current = staged.upserts.get(item.id);
      if (current !== undefined) found.add(item.id);
      if (
        isDeleted(staged, item.id) ||
        (current !== undefined && fingerprint(current) !== fingerprint(item))
      ) {
        changed = true;
        break;
      }
    }
  }
  const added = [...staged.upserts.keys()].some((id) =>
    !found.has(id) && !staged.deletions.has(id)
  );
  return {
    checkpoint: { ...checkpoint, mode: changed || added ? "merge" : "unchanged" },
    writes: new WriteBatch(),
  };
}

/** Applies the staged changes to the next MERGE_STEP_CHUNKS chunks of the previous copy. */
export async function mergeStep(run: Run, checkpoint: Checkpoint): Promise<StepResult> {
  const staged = await stagedChanges(run, checkpoint);
  const count = Math.min(MERGE_STEP_CHUNKS, checkpoint.baseChunks - checkpoint.read);
  const chunks = count > 0
    ? await run.copy.readChunks(checkpoint.base!, checkpoint.read, count)
    : [];
  if (chunks.includes(null)) {
    throw new CopyIncompleteError("Part of the previous copy is gone; the next sync lists again.");
  }
  const last = checkpoint.read + count >= checkpoint.baseChunks;
  const merged = mergeBatch(
    staged,
    chunks.flatMap((items) => items!),
    last,
    new Date(run.deps.clock()).toISOString(),
    (a, b) => fingerprint(a) === fingerprint(b),
  );
  const writes = new WriteBatch();
  const written = chunkItems(merged.items);
  written.forEach((items, i) => {
    writes.setAll(run.copy.chunkWrites(run.generation, checkpoint.chunks + i, items));
  });
  const changeChunks = changeWrites(run, checkpoint, merged.changes, writes);
  const matched = run.stage.writes(
    "matched",
    checkpoint.matched,
    merged.matched.map((id) => ({ m: id })),
  );
  writes.setAll(matched);
  return {
    checkpoint: {
      ...checkpoint,
      mode: last ? "applied" : "merge",
      read: checkpoint.read + count,
      matched: checkpoint.matched + matched.length,
      chunks: checkpoint.chunks + written.length,
      changeChunks: checkpoint.changeChunks + changeChunks,
      changes: checkpoint.changes + merged.changes.length,
      done: checkpoint.done + merged.items.length,
      types: countTypes(checkpoint.types, merged.items),
    },
    writes,
  };
}

function stagedChanges(run: Run, checkpoint: Checkpoint): Promise<StagedChanges> | StagedChanges {
  if (run.staged !== null) return run.staged;
  const feed = run.provider.spec.changeFeed!;
  return run.stage.read(checkpoint.staged, checkpoint.matched, feed.deletionCheck ?? false)
    .then((staged) => run.staged = staged);
}
