/**
 * Linking a full listing's items to their parents across its steps, for a provider whose
 * `finishItems` links children to parents listed beside them (Notion). Each step is finished
 * beside every item known (this listing's, else the previous copy's). What a step cannot link
 * waits: a child that names a parent no step has listed yet keeps it in its chunk's entries, and
 * a parent found renamed has children listed before it that carry its old name; both are linked
 * at the end, before the generation is served, and logged once.
 */
import { type IntegrationItem, makeItem } from "../contract/item.ts";
import type { ChangeEntry } from "./changes.ts";
import type { Checkpoint } from "./checkpoint.ts";
import type { Run } from "./run.ts";
import type { WriteBatch } from "./writes.ts";

/**
 * Parents a listing waits for at most (the checkpoint keeps their ids): children that name one
 * past it are linked by the next sync, which finds the parent in the copy.
 */
export const MAX_AWAITED = 500;

/** What a parent needs to be linked to: its id and name. */
export function asParent(item: IntegrationItem): IntegrationItem {
  return makeItem({ id: item.id, type: item.type, name: item.name });
}

/** A step's items linked to their parents wherever in the account those are. */
export function linkAcrossSteps(
  run: Run,
  items: IntegrationItem[],
  known: Map<string, IntegrationItem>,
): IntegrationItem[] {
  const ids = new Set(items.map((item) => item.id));
  const others = [...known.values()].filter((item) => !ids.has(item.id));
  return run.provider.spec.finishItems!([...items, ...others]).filter((item) => ids.has(item.id));
}

/**
 * The checkpoint's waiting parents after a step whose items are `fresh` (already in `known`):
 * a parent listed now stops waiting and is linked at the end; a parent a child named that is
 * still unknown starts waiting.
 */
export function awaitParents(
  run: Run,
  checkpoint: Checkpoint,
  fresh: readonly IntegrationItem[],
  known: Map<string, IntegrationItem>,
): Pick<Checkpoint, "awaited" | "lateParents"> {
  const awaited = new Set(checkpoint.awaited);
  const late = [...checkpoint.lateParents];
  for (const item of fresh) if (awaited.delete(item.id)) late.push(item.id);
  for (const item of fresh) {
    const parent = run.provider.spec.namedParent?.(item);
    if (parent !== undefined && !known.has(parent) && awaited.size < MAX_AWAITED) {
      awaited.add(parent);
    }
  }
  return { awaited: [...awaited], lateParents: late };
}

/** Whether the end of the listing has children to link (a rename, a parent listed late). */
export function hasWaitingChildren(checkpoint: Checkpoint): boolean {
  return checkpoint.renamed.length > 0 || checkpoint.lateParents.length > 0;
}

/**
 * Links the children that waited (see the module's comment; the caller checks there are some):
 * their chunks rewritten in `writes`, and the changes to log.
 */
export async function linkWaitingChildren(
  run: Run,
  checkpoint: Checkpoint,
  known: Map<string, IntegrationItem>,
  writes: WriteBatch,
): Promise<ChangeEntry[]> {
  const renamed = new Set(checkpoint.renamed);
  const late = new Set(checkpoint.lateParents);
  const at = new Date(run.deps.clock()).toISOString();
  const changes: ChangeEntry[] = [];
  let chunk = 0;
  for await (
    const { items, namedParents } of run.copy.scanNamedParents(
      run.generation,
      checkpoint.chunks,
    )
  ) {
    let stale = false;
    const waiting: (string | undefined)[] = [];
    const linked = items.map((item, i) => {
      const named = namedParents[i];
      const parentId = named !== undefined && late.has(named) ? named : item.parent_id;
      const parent = parentId === null ? undefined : known.get(parentId);
      const due = parent !== undefined && (renamed.has(parent.id) || parentId === named);
      if (!due || item.parent_path_or_name === parent.name && item.parent_id === parent.id) {
        waiting.push(named);
        return item;
      }
      stale = true;
      waiting.push(undefined);
      const fixed = { ...item, parent_id: parent.id, parent_path_or_name: parent.name };
      changes.push({ action: "upsert", id: item.id, item: fixed, changed_at: at });
      return fixed;
    });
    if (stale) writes.setAll(run.copy.chunkWrites(run.generation, chunk, linked, waiting));
    chunk++;
  }
  return changes;
}
