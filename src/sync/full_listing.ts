/**
 * A full listing's steps: the account listed in steps (the same chains as a live listing),
 * each step's items written as chunks of the new generation, what differs from the previous
 * generation written to the change log; at the end, what the listing did not see is deleted.
 */
import type { IntegrationItem } from "../contract/item.ts";
import type { ChangeEntry } from "./changes.ts";
import { type Checkpoint, countTypes } from "./checkpoint.ts";
import { chunkItems } from "./copy.ts";
import { contentHash } from "./digests.ts";
import {
  asParent,
  awaitParents,
  hasWaitingChildren,
  linkAcrossSteps,
  linkWaitingChildren,
} from "./parents.ts";
import type { FullCompare, Run, StepResult } from "./run.ts";
import { WriteBatch } from "./writes.ts";

/**
 * Items listed per step: one checkpoint, and about this many items in memory at a time (an
 * unbudgeted step rounds up to whole rounds of rate-limit groups: less than twice as many).
 */
export const STEP_ITEMS = 1000;

/**
 * One step of a full listing, with at most `callBudget` provider calls (null: as many as the
 * step needs): its items are the new generation's, compared with the old.
 */
export async function listStep(
  run: Run,
  checkpoint: Checkpoint,
  callBudget: number | null,
): Promise<StepResult> {
  const { previous, copied, known } = await compareWith(run, checkpoint);
  const step = await run.deps.items.fetch(
    run.provider,
    run.owner,
    checkpoint.positions,
    STEP_ITEMS,
    { log: run.log, background: true, callBudget },
  );
  const now = new Date(run.deps.clock()).toISOString();
  const listed = known === null ? step.items : linkAcrossSteps(run, step.items, known);
  const fresh = interleaveByType(listed.filter((item) => !copied.has(item.id)));
  const changes: ChangeEntry[] = [];
  const renamed: string[] = [];
  for (const item of fresh) {
    copied.add(item.id);
    const was = known?.get(item.id);
    if (was !== undefined && was.name !== item.name) renamed.push(item.id);
    known?.set(item.id, asParent(item));
    if (previous.get(item.id) !== contentHash(item)) {
      changes.push({ action: "upsert", id: item.id, item, changed_at: now });
    }
    previous.delete(item.id);
  }
  const writes = new WriteBatch();
  const chunks = chunkItems(fresh);
  chunks.forEach((items, i) => {
    const parents = items.map((item) => run.provider.spec.namedParent?.(item));
    writes.setAll(run.copy.chunkWrites(run.generation, checkpoint.chunks + i, items, parents));
  });
  const changeChunks = changeWrites(run, checkpoint, changes, writes);
  return {
    checkpoint: {
      ...checkpoint,
      positions: step.remaining,
      chunks: checkpoint.chunks + chunks.length,
      changeChunks: checkpoint.changeChunks + changeChunks,
      changes: checkpoint.changes + changes.length,
      done: checkpoint.done + fresh.length,
      types: countTypes(checkpoint.types, fresh),
      renamed: [...checkpoint.renamed, ...renamed],
      ...(known === null ? {} : awaitParents(run, checkpoint, fresh, known)),
    },
    writes,
  };
}

/** Children that waited for their parents (src/sync/parents.ts), linked and logged. */
export async function relinkWaiting(
  run: Run,
  checkpoint: Checkpoint,
  writes: WriteBatch,
): Promise<ChangeEntry[]> {
  if (!hasWaitingChildren(checkpoint)) return [];
  const { known } = await compareWith(run, checkpoint);
  // Only a provider that links parents has children waiting for them.
  return known === null ? [] : await linkWaitingChildren(run, checkpoint, known, writes);
}

/** What the previous copy held and the listing did not: deleted. */
export async function deletions(run: Run, checkpoint: Checkpoint): Promise<ChangeEntry[]> {
  const { previous } = await compareWith(run, checkpoint);
  const at = new Date(run.deps.clock()).toISOString();
  return [...previous.keys()].map((id) => ({ action: "delete", id, item: null, changed_at: at }));
}

/**
 * What the previous copy holds (content hashes by id), so each listing step can tell what
 * changed; on a resume the items already copied (the checkpoint's chunks) are taken out, their
 * changes being logged already. Read from the chunks' entries, many to a round trip (a run under
 * a Worker's subrequest budget loads this at every invocation); a provider that links parents
 * across steps reads the items themselves, for the parents' names.
 */
async function compareWith(run: Run, checkpoint: Checkpoint): Promise<FullCompare> {
  if (run.compare !== null) return run.compare;
  const previous = new Map<string, string>();
  const copied = new Set<string>();
  const known = run.provider.spec.finishItems === undefined
    ? null
    : new Map<string, IntegrationItem>();
  const read = async (
    generation: number,
    chunks: number,
    entries: boolean,
    take: (id: string, hash: string) => void,
  ) => {
    if (known === null && entries) {
      for await (const found of run.copy.scanEntries(generation, chunks)) {
        for (const { id, hash } of found) take(id, hash);
      }
      return;
    }
    for await (const items of run.copy.scan(generation, chunks)) {
      for (const item of items) {
        take(item.id, contentHash(item));
        known?.set(item.id, asParent(item));
      }
    }
  };
  if (checkpoint.base !== null) {
    await read(checkpoint.base, checkpoint.baseChunks, checkpoint.baseEntries, (id, hash) => {
      previous.set(id, hash);
    });
  }
  // Only the chunks the checkpoint counts: a step cut short may have left more behind it.
  await read(run.generation, checkpoint.chunks, checkpoint.entries, (id) => {
    previous.delete(id);
    copied.add(id);
  });
  return run.compare = { previous, copied, known };
}

/** Adds changes after the checkpoint's to `writes`, in log chunks; answers how many chunks. */
export function changeWrites(
  run: Run,
  checkpoint: Checkpoint,
  changes: ChangeEntry[],
  writes: WriteBatch,
): number {
  const chunks = chunkItems(changes);
  chunks.forEach((entries, i) => {
    writes.setAll([
      run.changeLog.chunkWrite(run.generation, checkpoint.changeChunks + i, entries),
    ]);
  });
  return chunks.length;
}

/**
 * One step's items with their types taken in turn (a contact, a company, a deal, ...), so any
 * page of the copy mixes them as a limited live page does.
 */
export function interleaveByType(items: IntegrationItem[]): IntegrationItem[] {
  const byType = new Map<string, IntegrationItem[]>();
  for (const item of items) {
    const list = byType.get(item.type);
    if (list === undefined) byType.set(item.type, [item]);
    else list.push(item);
  }
  const lists = [...byType.values()];
  const out: IntegrationItem[] = [];
  for (let i = 0; out.length < items.length; i++) {
    for (const list of lists) if (i < list.length) out.push(list[i]);
  }
  return out;
}
