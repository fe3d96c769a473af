/**
 * Completing a sync whose generation is gathered: the change log's segment listed, the status
 * pointing reads at the new generation, then what is no longer needed deleted (the checkpoint,
 * the stage, the generation before the previous one). One transaction makes the new copy the
 * one served, so no half-written copy is ever served as complete.
 */
import { parseJson } from "../json.ts";
import { z } from "zod";
import type { Store } from "../store/store.ts";
import type { Checkpoint } from "./checkpoint.ts";
import { changeWrites, deletions, relinkWaiting } from "./full_listing.ts";
import { checkpointKey, metaKey, type Run } from "./run.ts";
import type { SyncStatus } from "./status.ts";
import { WriteBatch } from "./writes.ts";

const metaSchema = z.object({
  chunks: z.number(),
  /** Its chunks have entries: each item's id and content hash (src/sync/digests.ts). */
  entries: z.boolean().default(false),
});
export type GenerationMeta = z.infer<typeof metaSchema>;

/** A complete generation's record: its chunks; null when the record is gone. */
export async function generationMeta(
  store: Store,
  key: string,
  generation: number,
): Promise<GenerationMeta | null> {
  const raw = await store.get(metaKey(key, generation));
  const meta = metaSchema.safeParse(raw === null ? null : parseJson(raw));
  return meta.success ? meta.data : null;
}

/** Completes the sync; answers how many changes it logged. */
export async function finish(
  run: Run,
  checkpoint: Checkpoint,
  status: SyncStatus,
): Promise<number> {
  const { store, clock } = run.deps;
  const finished = new Date(clock()).toISOString();
  const writes = new WriteBatch();
  const statusKey = `${run.key}:status`;
  const done = { ...status, state: "ok", finishedAt: finished, syncedAt: finished } as const;
  const cleanUp = [
    checkpointKey(run.key),
    ...run.stage.keys(checkpoint.staged, checkpoint.matched),
  ];
  if (checkpoint.mode === "unchanged") {
    // The same generation stays: nothing to copy, nothing for the change log.
    writes.set(
      statusKey,
      JSON.stringify({ ...done, progress: null, lastError: null, watermark: checkpoint.watermark }),
    );
    await writes.delete(cleanUp).flush(store);
    return 0;
  }
  let { changes, changeChunks } = checkpoint;
  const full = checkpoint.mode === "full";
  if (full) {
    const logged = [
      ...await relinkWaiting(run, checkpoint, writes),
      ...await deletions(run, checkpoint),
    ];
    changeChunks += changeWrites(run, checkpoint, logged, writes);
    changes += logged.length;
  }
  const commit = await run.changeLog.commit(run.generation, changeChunks, changes);
  const stale = run.generation - 2;
  const staleChunks = stale < 1
    ? null
    : (await generationMeta(store, run.key, stale))?.chunks ?? null;
  const listedAt = full ? checkpoint.listedAt ?? clock() : run.before.listedAt;
  const next: SyncStatus = {
    ...done,
    items: checkpoint.done,
    types: checkpoint.types,
    progress: null,
    lastError: null,
    generation: run.generation,
    chunks: checkpoint.chunks,
    watermark: full
      ? run.provider.spec.changeFeed?.watermarkAt(listedAt!) ?? null
      : checkpoint.watermark,
    listedAt,
  };
  writes
    .set(
      metaKey(run.key, run.generation),
      JSON.stringify({ chunks: checkpoint.chunks, entries: checkpoint.entries }),
    )
    .setAll([commit.write])
    // Last: the status that serves the new generation lands after everything it points at.
    .set(statusKey, JSON.stringify(next))
    .delete([
      ...cleanUp,
      ...commit.deletes,
      ...(staleChunks === null
        ? []
        : [...run.copy.generationKeys(stale, staleChunks), metaKey(run.key, stale)]),
    ]);
  await writes.flush(store);
  return changes;
}
