/** Deleting a sync's records: an unfinished sync's leftovers, or everything on a disconnect. */
import type { Store } from "../store/store.ts";
import { ChangeLog } from "./changes.ts";
import { type Checkpoint, parseCheckpoint } from "./checkpoint.ts";
import { CopyStore } from "./copy.ts";
import { FeedStage } from "./feed_stage.ts";
import { generationMeta } from "./finish.ts";
import { checkpointKey, metaKey } from "./run.ts";
import { parseStatus } from "./status.ts";
import { WriteBatch } from "./writes.ts";

/** What an unfinished sync wrote: its copy chunks, its staged changes, its checkpoint. */
export function discardKeys(store: Store, key: string, checkpoint: Checkpoint): string[] {
  const { generation } = checkpoint;
  return [
    ...new CopyStore(store, key).generationKeys(generation, checkpoint.chunks),
    ...new FeedStage(store, key, generation).keys(checkpoint.staged, checkpoint.matched),
    checkpointKey(key),
  ];
}

/** Deletes a connection's copy, change log and sync records (a disconnect). */
export async function forgetSync(
  deps: { store: Store; clock: () => number },
  key: string,
): Promise<void> {
  const { store, clock } = deps;
  const records = await store.getMany([
    `${key}:status`,
    checkpointKey(key),
    `${key}:requested`,
  ]);
  if (records.every((record) => record === null)) return;
  const status = parseStatus(records[0]);
  const checkpoint = parseCheckpoint(records[1]);
  const copy = new CopyStore(store, key);
  const gone = new WriteBatch();
  if (status.generation !== null) {
    for (const generation of [status.generation, status.generation - 1]) {
      const chunks = generation < 1
        ? null
        : (await generationMeta(store, key, generation))?.chunks ?? null;
      if (chunks !== null) {
        gone.delete([...copy.generationKeys(generation, chunks), metaKey(key, generation)]);
      }
    }
  }
  if (checkpoint !== null) gone.delete(discardKeys(store, key, checkpoint));
  await gone.delete(["status", "checkpoint", "lease", "requested"].map((p) => `${key}:${p}`))
    .flush(store);
  await new ChangeLog(store, key, clock).clear();
}
