/**
 * What each part of a sync run costs in subrequests (store round trips, provider calls and the
 * pacer's round trips), so a run under a budget stops before a step it could not finish and
 * leaves it, checkpointed, to the next invocation. Upper bounds, from the steps' own code.
 */
import { ENTRIES_BATCH, SCAN_BATCH } from "./copy.ts";
import { FeedStage } from "./feed_stage.ts";
import type { Checkpoint } from "./checkpoint.ts";
import { hasWaitingChildren } from "./parents.ts";
import type { Run } from "./run.ts";

/** Before the first step: the request noted, the lease, the request taken, status and checkpoint, the status. */
export const RUN_START = 6;
/** After the last: the lease let go, and a look for a request that came meanwhile. */
export const RUN_END = 2;
/**
 * Room for what no step can foresee: the pacer script loaded on its first use (EVALSHA, then
 * EVAL), a store command retried once.
 */
export const MARGIN = 2;
/** A connection read and, when its token is due, a refresh (lock, re-read, token call, save, release). */
const CONNECT = 6;
/** The lease renewed, then the step's writes with its checkpoint (two batches at most). */
const STEP_WRITES = 3;
/** Each provider call takes at most one pacer round trip. */
export const PER_CALL = 2;

/** What a step costs besides its provider calls, and how many calls it needs (null: any). */
export interface StepCost {
  fixed: number;
  calls: number | null;
}

export function stepCost(run: Run, checkpoint: Checkpoint): StepCost {
  switch (checkpoint.mode) {
    case "full":
      return { fixed: compareReads(run, checkpoint) + CONNECT + STEP_WRITES, calls: null };
    case "feed":
      return {
        fixed: (run.feedApi === null ? CONNECT : 0) + STEP_WRITES,
        calls: checkpoint.positions.length,
      };
    case "check":
      return {
        fixed: stageReads(run, checkpoint) + Math.ceil(checkpoint.baseChunks / SCAN_BATCH) +
          STEP_WRITES,
        calls: 0,
      };
    default:
      return { fixed: stageReads(run, checkpoint) + 1 + STEP_WRITES, calls: 0 };
  }
}

/** Completing a listed sync: reads (the change log's index, a stale generation's record) and writes. */
export function finishCost(run: Run, checkpoint: Checkpoint): number {
  if (checkpoint.mode === "unchanged") return 2;
  if (checkpoint.mode !== "full") return 2 + 3;
  // Children that waited for their parents: the generation and its entries read once more.
  const relink = hasWaitingChildren(checkpoint)
    ? Math.ceil(checkpoint.chunks / (SCAN_BATCH / 2))
    : 0;
  return compareReads(run, checkpoint) + relink + 2 + 3;
}

/**
 * Loading what a full listing compares with: the previous copy, and what this one copied (their
 * entries, when they have them; a provider that links parents reads the chunks).
 */
function compareReads(run: Run, checkpoint: Checkpoint): number {
  if (run.compare !== null) return 0;
  const trips = (chunks: number, entries: boolean) =>
    Math.ceil(
      chunks /
        (entries && run.provider.spec.finishItems === undefined ? ENTRIES_BATCH : SCAN_BATCH),
    );
  const base = checkpoint.base === null ? 0 : trips(checkpoint.baseChunks, checkpoint.baseEntries);
  return base + trips(checkpoint.chunks, checkpoint.entries);
}

function stageReads(run: Run, checkpoint: Checkpoint): number {
  return run.staged === null ? FeedStage.readCost(checkpoint.staged, checkpoint.matched) : 0;
}
