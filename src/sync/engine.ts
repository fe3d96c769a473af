/**
 * Syncs one connection into its copy. A sync lists the account in steps (the same chains as a
 * live listing), writes each step's items as chunks of a new generation and what changed since
 * the previous generation to the change log, then saves a checkpoint: a sync whose process
 * dies is resumed from its last step by whichever process next holds the connection's lease.
 * Only a complete generation is read from; the one before it is kept for cursors in flight.
 */
import { z } from "zod";
import type { Owner } from "../connections/connections.ts";
import { HubError } from "../errors.ts";
import type { ItemsService } from "../items/list_items.ts";
import type { IntegrationItem } from "../items/item.ts";
import { parseJson } from "../json.ts";
import { type Logger, silentLogger } from "../log.ts";
import type { ActiveProvider } from "../providers/registry.ts";
import { keys } from "../store/keys.ts";
import { type Store, StoreUnavailableError } from "../store/store.ts";
import { type ChangeEntry, ChangeLog } from "./changes.ts";
import { chunkItems, CopyStore } from "./copy.ts";
import { parseStatus, readStatus, type SyncStatus, writeStatus } from "./status.ts";

/** Items listed per step: one checkpoint, and at most this many items in memory at a time. */
export const STEP_ITEMS = 1000;

const checkpointSchema = z.object({
  generation: z.number(),
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
});
type Checkpoint = z.infer<typeof checkpointSchema>;

export interface SyncDeps {
  store: Store;
  items: ItemsService;
  clock: () => number;
  log?: Logger;
  /** Outlives a step comfortably; a dead holder's lease lapses after this (SYNC_LEASE_SECONDS). */
  leaseMs: number;
}

/** "paused": the step budget ran out; the checkpoint lets the next run go on from there. */
export type SyncOutcome = "synced" | "busy" | "failed" | "paused";

/** The key under which everything about one connection's sync lives. */
export function syncKey(provider: string, owner: Owner): string {
  return keys.sync(provider, owner.orgId, owner.userId);
}

/** A stable fingerprint of an item: two items with the same one are the same item. */
export function fingerprint(item: IntegrationItem): string {
  return JSON.stringify(item);
}

export class SyncEngine {
  /** Lease keys this process holds, with their holder values, for a shutdown to release. */
  readonly #held = new Map<string, string>();

  constructor(private readonly deps: SyncDeps) {}

  /** Releases every lease this process holds (its syncs resume elsewhere from their checkpoints). */
  async releaseHeldLeases(): Promise<number> {
    let released = 0;
    for (const [key, holder] of this.#held) {
      if (await this.deps.store.deleteIfEquals(key, holder)) released++;
    }
    this.#held.clear();
    return released;
  }

  /**
   * Runs a sync of one connection to its end (and once more if one was asked for meanwhile),
   * or answers "busy" when another process holds its lease. A request is recorded before the
   * lease is tried, and a holder looks for requests after it lets the lease go, so a request
   * that meets a finishing holder is never lost: one of the two runs it.
   */
  async run(
    provider: ActiveProvider,
    owner: Owner,
    /** Most listing steps to take now (a Worker invocation's budget); null: to the end. */
    maxSteps: number | null = null,
  ): Promise<SyncOutcome> {
    const { store } = this.deps;
    const key = syncKey(provider.spec.id, owner);
    const lease = `${key}:lease`;
    const requested = `${key}:requested`;
    await store.set(requested, "1", { ttlMs: this.deps.leaseMs * 10 });
    let outcome: SyncOutcome = "busy";
    while (true) {
      const holder = crypto.randomUUID();
      if (!(await store.setIfAbsent(lease, holder, this.deps.leaseMs))) return outcome;
      this.#held.set(lease, holder);
      try {
        // Taking the request here: what was asked before this point is in this run.
        while ((await store.take(requested)) !== null) {
          outcome = await this.#once(provider, owner, key, holder, maxSteps);
          if (outcome !== "synced") break;
        }
      } finally {
        this.#held.delete(lease);
        await store.deleteIfEquals(lease, holder);
      }
      if (outcome !== "synced" || (await store.get(requested)) === null) return outcome;
    }
  }

  async #once(
    provider: ActiveProvider,
    owner: Owner,
    key: string,
    holder: string,
    maxSteps: number | null,
  ): Promise<SyncOutcome> {
    const { store, clock } = this.deps;
    const log = this.deps.log ?? silentLogger;
    const started = clock();
    const copy = new CopyStore(store, key);
    const changeLog = new ChangeLog(store, key, clock);
    const before = await readStatus(store, key);
    const resumed = await this.#checkpoint(key);
    const generation = resumed?.generation ?? (before.generation ?? 0) + 1;
    let checkpoint: Checkpoint = resumed ?? {
      generation,
      positions: provider.spec.startChains(),
      chunks: 0,
      changeChunks: 0,
      changes: 0,
      done: 0,
      types: {},
    };
    let status: SyncStatus = {
      ...before,
      state: "running",
      startedAt: new Date(started).toISOString(),
      progress: { done: checkpoint.done, total: null },
    };
    await writeStatus(store, key, status);
    try {
      // What the previous copy holds, by id, so each step can tell what changed; on a resume
      // the items already copied are taken out, their changes being logged already.
      const previous = new Map<string, string>();
      if (before.generation !== null) {
        for await (const items of copy.scan(before.generation)) {
          for (const item of items) previous.set(item.id, fingerprint(item));
        }
      }
      const copied = new Set<string>();
      if (resumed !== null) {
        for await (const items of copy.scan(generation)) {
          for (const item of items) {
            previous.delete(item.id);
            copied.add(item.id);
          }
        }
      }
      for (let steps = 0; checkpoint.positions.length > 0; steps++) {
        if (maxSteps !== null && steps >= maxSteps) return "paused";
        const step = await this.deps.items.fetch(
          provider,
          owner,
          checkpoint.positions,
          STEP_ITEMS,
          { log, background: true },
        );
        const now = new Date(clock()).toISOString();
        const fresh = interleaveByType(step.items.filter((item) => !copied.has(item.id)));
        const changes: ChangeEntry[] = [];
        for (const item of fresh) {
          copied.add(item.id);
          if (previous.get(item.id) !== fingerprint(item)) {
            changes.push({ action: "upsert", id: item.id, item, changed_at: now });
          }
          previous.delete(item.id);
        }
        const chunks = chunkItems(fresh);
        for (const [i, items] of chunks.entries()) {
          await copy.writeChunk(generation, checkpoint.chunks + i, items);
        }
        const changeChunks = await writeChanges(changeLog, generation, checkpoint, changes);
        const types = { ...checkpoint.types };
        for (const item of fresh) types[item.type] = (types[item.type] ?? 0) + 1;
        checkpoint = {
          generation,
          positions: step.remaining,
          chunks: checkpoint.chunks + chunks.length,
          changeChunks: checkpoint.changeChunks + changeChunks,
          changes: checkpoint.changes + changes.length,
          done: checkpoint.done + fresh.length,
          types,
        };
        await store.set(`${key}:checkpoint`, JSON.stringify(checkpoint));
        if (!(await store.replaceIfEquals(`${key}:lease`, holder, holder, this.deps.leaseMs))) {
          log.warn("sync", { provider: provider.spec.id, outcome: "lease_lost" });
          return "busy";
        }
        status = { ...status, progress: { done: checkpoint.done, total: null } };
        await writeStatus(store, key, status);
      }
      const deletions: ChangeEntry[] = [...previous.keys()].map((id) => ({
        action: "delete",
        id,
        item: null,
        changed_at: new Date(clock()).toISOString(),
      }));
      const deletionChunks = await writeChanges(changeLog, generation, checkpoint, deletions);
      const changeChunks = checkpoint.changeChunks + deletionChunks;
      await changeLog.commit(generation, changeChunks, checkpoint.changes + deletions.length);
      const finished = new Date(clock()).toISOString();
      await writeStatus(store, key, {
        ...status,
        state: "ok",
        finishedAt: finished,
        syncedAt: finished,
        items: checkpoint.done,
        types: checkpoint.types,
        progress: null,
        lastError: null,
        generation,
      });
      await store.set(`${key}:meta:${generation}`, JSON.stringify({ chunks: checkpoint.chunks }));
      await store.delete(`${key}:checkpoint`);
      await this.#dropGeneration(copy, key, generation - 2);
      log.info("sync", {
        provider: provider.spec.id,
        outcome: "synced",
        items: checkpoint.done,
        changes: checkpoint.changes + deletions.length,
        ms: clock() - started,
      });
      return "synced";
    } catch (error) {
      const failure = error instanceof HubError || error instanceof StoreUnavailableError
        ? { code: error.code, message: error.message }
        : { code: "sync_failed", message: "The sync stopped on an unexpected error." };
      log.warn("sync", {
        provider: provider.spec.id,
        outcome: "failed",
        error_code: failure.code,
        reason: failure.message,
        ms: clock() - started,
      });
      // The previous copy stays readable; the checkpoint stays for the next attempt.
      await writeStatus(store, key, {
        ...status,
        state: "failed",
        finishedAt: new Date(clock()).toISOString(),
        progress: null,
        lastError: failure,
      }).catch(() => {});
      return "failed";
    }
  }

  async #checkpoint(key: string): Promise<Checkpoint | null> {
    return parseCheckpoint(await this.deps.store.get(`${key}:checkpoint`));
  }

  async #dropGeneration(copy: CopyStore, key: string, generation: number): Promise<void> {
    if (generation < 1) return;
    const raw = await this.deps.store.get(`${key}:meta:${generation}`);
    const meta = z.object({ chunks: z.number() }).safeParse(raw === null ? null : parseJson(raw));
    if (!meta.success) return;
    await copy.deleteGeneration(generation, meta.data.chunks);
    await this.deps.store.delete(`${key}:meta:${generation}`);
  }

  /** Deletes a connection's copy, change log and sync records (a disconnect). */
  async forget(provider: string, owner: Owner): Promise<void> {
    const { store, clock } = this.deps;
    const key = syncKey(provider, owner);
    const records = await store.getMany([
      `${key}:status`,
      `${key}:checkpoint`,
      `${key}:requested`,
    ]);
    if (records.every((record) => record === null)) return;
    const copy = new CopyStore(store, key);
    const status = parseStatus(records[0]);
    const checkpoint = parseCheckpoint(records[1]);
    for (const generation of [status.generation, (status.generation ?? 0) - 1]) {
      if (generation !== null) await this.#dropGeneration(copy, key, generation);
    }
    if (checkpoint !== null) await copy.deleteGeneration(checkpoint.generation, checkpoint.chunks);
    await new ChangeLog(store, key, clock).clear();
    for (const part of ["status", "checkpoint", "lease", "requested"]) {
      await store.delete(`${key}:${part}`);
    }
  }
}

function parseCheckpoint(raw: string | null): Checkpoint | null {
  const parsed = checkpointSchema.safeParse(raw === null ? null : parseJson(raw));
  return parsed.success ? parsed.data : null;
}

/** Writes changes after the checkpoint's, in log chunks; answers how many chunks it wrote. */
async function writeChanges(
  log: ChangeLog,
  generation: number,
  checkpoint: Checkpoint,
  changes: ChangeEntry[],
): Promise<number> {
  const chunks = chunkItems(changes);
  for (const [i, entries] of chunks.entries()) {
    await log.writeChunk(generation, checkpoint.changeChunks + i, entries);
  }
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
