/**
 * Where a sync stands between steps, kept in the store after each one, so a sync whose process
 * dies (or whose invocation's budget ran out) goes on from there in the next run.
 */
import { z } from "zod";
import type { IntegrationItem } from "../contract/item.ts";
import { parseJson } from "../json.ts";

const checkpointSchema = z.object({
  generation: z.number(),
  /**
   * "full": listing the whole account; "feed": reading the change feed into the stage;
   * "check": comparing the stage with the previous copy; "merge": applying the stage to it;
   * "applied": done, to be completed; "unchanged": the copy is current as it is.
   */
  mode: z.enum(["full", "feed", "check", "merge", "applied", "unchanged"]).default("full"),
  /** The listing's chains ("full") or the change feed's ("feed"). */
  positions: z.array(z.object({
    chain: z.string(),
    cursor: z.string().nullable(),
    context: z.record(z.string(), z.string()).optional(),
    group: z.string().optional(),
  })),
  chunks: z.number(),
  changeChunks: z.number(),
  changes: z.number(),
  done: z.number(),
  types: z.record(z.string(), z.number()),
  /** When the full listing began: its watermark is taken from then. */
  listedAt: z.number().nullable().default(null),
  /** The change feed's watermark so far. */
  watermark: z.record(z.string(), z.string()).nullable().default(null),
  /** Chunks of staged changes, and how many upserts and deletions they hold. */
  staged: z.number().default(0),
  stagedChanges: z.number().default(0),
  /** Chunks of ids the merge applied so far. */
  matched: z.number().default(0),
  /**
   * The previous generation (compared with by a full listing, the changes apply to by a
   * merge), its chunks, and how many of them a merge has applied.
   */
  base: z.number().nullable().default(null),
  baseChunks: z.number().default(0),
  read: z.number().default(0),
  /**
   * Items a full listing found renamed since the previous copy: children listed before them
   * carry the old name as their parent's, and are linked again at the end.
   */
  renamed: z.array(z.string()).default([]),
  /**
   * Parents that children listed so far named but no step had listed (src/sync/parents.ts),
   * and those of them listed since: their children are linked at the end.
   */
  awaited: z.array(z.string()).default([]),
  lateParents: z.array(z.string()).default([]),
  /**
   * Whether this sync's chunks, and the previous generation's, have entries (each item's id
   * and content hash): a full listing then reads what they hold from the entries.
   */
  entries: z.boolean().default(false),
  baseEntries: z.boolean().default(false),
});
export type Checkpoint = z.infer<typeof checkpointSchema>;

export const EMPTY_CHECKPOINT: Checkpoint = {
  generation: 0,
  mode: "full",
  positions: [],
  chunks: 0,
  changeChunks: 0,
  changes: 0,
  done: 0,
  types: {},
  listedAt: null,
  watermark: null,
  staged: 0,
  stagedChanges: 0,
  matched: 0,
  base: null,
  baseChunks: 0,
  read: 0,
  renamed: [],
  awaited: [],
  lateParents: [],
  entries: true,
  baseEntries: false,
};

export function parseCheckpoint(raw: string | null): Checkpoint | null {
  const parsed = checkpointSchema.safeParse(raw === null ? null : parseJson(raw));
  return parsed.success ? parsed.data : null;
}

/** Whether a sync has gathered its whole generation and only needs completing. */
export function isListed(checkpoint: Checkpoint): boolean {
  return checkpoint.mode === "applied" || checkpoint.mode === "unchanged" ||
    (checkpoint.mode === "full" && checkpoint.positions.length === 0);
}

/** Type counts with `items` added. */
export function countTypes(
  types: Record<string, number>,
  items: readonly IntegrationItem[],
): Record<string, number> {
  const counted = { ...types };
  for (const item of items) counted[item.type] = (counted[item.type] ?? 0) + 1;
  return counted;
}
