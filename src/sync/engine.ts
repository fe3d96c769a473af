/**
 * Syncs one connection into its copy. A full sync lists the account in steps (the same chains
 * as a live listing), writes each step's items as chunks of a new generation and what changed
 * since the previous generation to the change log, then saves a checkpoint. An incremental sync
 * (a provider with a change feed, after a complete full one) stages the feed's pages, then
 * applies them to the previous generation a batch of chunks per step (src/sync/feed_stage.ts).
 * A sync whose process dies is resumed from its last step by whichever process next holds the
 * connection's lease. Only a complete generation is read from; the one before it is kept for
 * cursors in flight.
 */
import { z } from "zod";
import type { Owner } from "../connections/connections.ts";
import { HubError, ProviderError } from "../errors.ts";
import type { ItemsService } from "../items/list_items.ts";
import type { IntegrationItem } from "../contract/item.ts";
import { parseJson } from "../json.ts";
import { type Logger, silentLogger } from "../log.ts";
import type { ActiveProvider } from "../providers/registry.ts";
import type { ChainPosition, ListingContext } from "../contract/chains.ts";
import type { ProviderApi } from "../contract/calls.ts";
import { keys } from "../store/keys.ts";
import { type Store, StoreUnavailableError } from "../store/store.ts";
import { type ChangeEntry, ChangeLog } from "./changes.ts";
import { chunkItems, CopyStore } from "./copy.ts";
import {
  CopyIncompleteError,
  FeedStage,
  isDeleted,
  MAX_FEED_CHANGES,
  MERGE_STEP_CHUNKS,
  mergeBatch,
  type StagedChanges,
  type StageEntry,
} from "./feed_stage.ts";
import { parseStatus, readStatus, type SyncStatus, writeStatus } from "./status.ts";

/** Items listed per step: one checkpoint, and at most this many items in memory at a time. */
export const STEP_ITEMS = 1000;

/**
 * A full listing at least this often (a day), whatever the change feed says: it catches what a
 * feed cannot show (HubSpot merges, an edit lost in search's lag) and resets the watermark.
 */
export const FULL_RELIST_MS = 24 * 60 * 60 * 1000;
/** Chunks read per round trip while checking the stage against the copy (about 1 MB). */
const CHECK_BATCH_CHUNKS = 32;

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
  /** The previous generation the changes apply to, its chunks, and how many are applied. */
  base: z.number().nullable().default(null),
  baseChunks: z.number().default(0),
  read: z.number().default(0),
});
type Checkpoint = z.infer<typeof checkpointSchema>;

const EMPTY_CHECKPOINT: Checkpoint = {
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
};

const metaSchema = z.object({ chunks: z.number() });

/** Whether a sync has gathered its whole generation and only needs completing. */
function isListed(checkpoint: Checkpoint): boolean {
  return checkpoint.mode === "applied" || checkpoint.mode === "unchanged" ||
    (checkpoint.mode === "full" && checkpoint.positions.length === 0);
}

/** Type counts with `items` added. */
function countTypes(
  types: Record<string, number>,
  items: readonly IntegrationItem[],
): Record<string, number> {
  const counted = { ...types };
  for (const item of items) counted[item.type] = (counted[item.type] ?? 0) + 1;
  return counted;
}

/** What one run of a sync knows along the way (none of it survives the run). */
interface Run {
  provider: ActiveProvider;
  owner: Owner;
  key: string;
  generation: number;
  log: Logger;
  copy: CopyStore;
  changeLog: ChangeLog;
  stage: FeedStage;
  /** For a full listing: the previous copy's fingerprints by id, and the ids copied so far. */
  compare: FullCompare | null;
  /** For a merge: the staged changes. */
  staged: StagedChanges | null;
  feedApi: { api: ProviderApi; context: ListingContext } | null;
}

interface FullCompare {
  previous: Map<string, string>;
  copied: Set<string>;
}

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
    const before = await readStatus(store, key);
    let resumed = await this.#checkpoint(key);
    if (resumed !== null && resumed.mode !== "full" && before.state === "failed") {
      // An incremental sync that failed is not retried as one: the next sync lists fully.
      await this.#discard(key, resumed);
      resumed = null;
    }
    const generation = resumed?.generation ?? (before.generation ?? 0) + 1;
    let checkpoint = resumed ?? await this.#plan(provider, key, before, generation, started);
    let status: SyncStatus = {
      ...before,
      state: "running",
      startedAt: new Date(started).toISOString(),
      progress: { done: checkpoint.done, total: null },
    };
    await writeStatus(store, key, status);
    const run: Run = {
      provider,
      owner,
      key,
      generation,
      log,
      copy: new CopyStore(store, key),
      changeLog: new ChangeLog(store, key, clock),
      stage: new FeedStage(store, key, generation),
      compare: null,
      staged: null,
      feedApi: null,
    };
    try {
      for (let steps = 0; !isListed(checkpoint); steps++) {
        if (maxSteps !== null && steps >= maxSteps) return "paused";
        checkpoint = checkpoint.mode === "full"
          ? await this.#listStep(run, before, checkpoint)
          : checkpoint.mode === "feed"
          ? await this.#feedStep(run, checkpoint)
          : checkpoint.mode === "check"
          ? await this.#checkStep(run, checkpoint)
          : await this.#mergeStep(run, checkpoint);
        await store.set(`${key}:checkpoint`, JSON.stringify(checkpoint));
        if (!(await store.replaceIfEquals(`${key}:lease`, holder, holder, this.deps.leaseMs))) {
          log.warn("sync", { provider: provider.spec.id, outcome: "lease_lost" });
          return "busy";
        }
        status = { ...status, progress: { done: checkpoint.done, total: null } };
        await writeStatus(store, key, status);
      }
      if (checkpoint.mode === "unchanged") {
        // The same generation stays: nothing to copy, nothing for the change log.
        const finished = new Date(clock()).toISOString();
        await writeStatus(store, key, {
          ...status,
          state: "ok",
          finishedAt: finished,
          syncedAt: finished,
          progress: null,
          lastError: null,
          watermark: checkpoint.watermark,
        });
        await store.delete(`${key}:checkpoint`);
        await run.stage.delete(checkpoint.staged, checkpoint.matched);
        log.info("sync", {
          provider: provider.spec.id,
          outcome: "synced",
          mode: "incremental",
          items: before.items,
          changes: 0,
          ms: clock() - started,
        });
        return "synced";
      }
      let changes = checkpoint.changes;
      let changeChunks = checkpoint.changeChunks;
      if (checkpoint.mode === "full") {
        // What the previous copy held and the listing did not: deleted.
        const { previous } = await this.#compare(run, before);
        const deletions: ChangeEntry[] = [...previous.keys()].map((id) => ({
          action: "delete",
          id,
          item: null,
          changed_at: new Date(clock()).toISOString(),
        }));
        changeChunks += await writeChanges(run.changeLog, generation, checkpoint, deletions);
        changes += deletions.length;
      }
      await run.changeLog.commit(generation, changeChunks, changes);
      const finished = new Date(clock()).toISOString();
      const full = checkpoint.mode === "full";
      const listedAt = full ? checkpoint.listedAt ?? started : before.listedAt;
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
        watermark: full
          ? provider.spec.changeFeed?.watermarkAt(listedAt!) ?? null
          : checkpoint.watermark,
        listedAt,
      });
      await store.set(`${key}:meta:${generation}`, JSON.stringify({ chunks: checkpoint.chunks }));
      await store.delete(`${key}:checkpoint`);
      await run.stage.delete(checkpoint.staged, checkpoint.matched);
      await this.#dropGeneration(run.copy, key, generation - 2);
      log.info("sync", {
        provider: provider.spec.id,
        outcome: "synced",
        mode: full ? "full" : "incremental",
        items: checkpoint.done,
        changes,
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

  /**
   * How a sync that starts afresh brings the copy up to date: from the provider's change feed
   * when it has one, the previous sync left a watermark and a complete copy, and the last full
   * listing is recent; otherwise by listing the whole account.
   */
  async #plan(
    provider: ActiveProvider,
    key: string,
    before: SyncStatus,
    generation: number,
    now: number,
  ): Promise<Checkpoint> {
    const fresh = { ...EMPTY_CHECKPOINT, generation };
    const feed = provider.spec.changeFeed;
    if (
      feed !== undefined && before.generation !== null && before.watermark !== null &&
      before.listedAt !== null && now - before.listedAt < FULL_RELIST_MS &&
      before.state !== "failed"
    ) {
      const positions = feed.startChains(before.watermark);
      const baseChunks = await this.#generationChunks(key, before.generation);
      if (positions !== null && baseChunks !== null) {
        return {
          ...fresh,
          mode: "feed",
          positions,
          watermark: before.watermark,
          base: before.generation,
          baseChunks,
        };
      }
    }
    return { ...fresh, positions: provider.spec.startChains(), listedAt: now };
  }

  /** One step of a full listing: its items are the new generation's, compared with the old. */
  async #listStep(run: Run, before: SyncStatus, checkpoint: Checkpoint): Promise<Checkpoint> {
    const { previous, copied } = await this.#compare(run, before);
    const step = await this.deps.items.fetch(
      run.provider,
      run.owner,
      checkpoint.positions,
      STEP_ITEMS,
      { log: run.log, background: true },
    );
    const now = new Date(this.deps.clock()).toISOString();
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
      await run.copy.writeChunk(run.generation, checkpoint.chunks + i, items);
    }
    const changeChunks = await writeChanges(run.changeLog, run.generation, checkpoint, changes);
    return {
      ...checkpoint,
      positions: step.remaining,
      chunks: checkpoint.chunks + chunks.length,
      changeChunks: checkpoint.changeChunks + changeChunks,
      changes: checkpoint.changes + changes.length,
      done: checkpoint.done + fresh.length,
      types: countTypes(checkpoint.types, fresh),
    };
  }

  /**
   * What the previous copy holds, by id, so each listing step can tell what changed; on a
   * resume the items already copied are taken out, their changes being logged already.
   */
  async #compare(run: Run, before: SyncStatus): Promise<FullCompare> {
    if (run.compare !== null) return run.compare;
    const previous = new Map<string, string>();
    if (before.generation !== null) {
      for await (const items of run.copy.scan(before.generation)) {
        for (const item of items) previous.set(item.id, fingerprint(item));
      }
    }
    const copied = new Set<string>();
    for await (const items of run.copy.scan(run.generation)) {
      for (const item of items) {
        previous.delete(item.id);
        copied.add(item.id);
      }
    }
    return run.compare = { previous, copied };
  }

  /**
   * One page of each of the change feed's chains, staged. A feed that turns out to hold more
   * changes than MAX_FEED_CHANGES is dropped for a full listing.
   */
  async #feedStep(run: Run, checkpoint: Checkpoint): Promise<Checkpoint> {
    const feed = run.provider.spec.changeFeed!;
    run.feedApi ??= await this.deps.items.connect(run.provider, run.owner, {
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
      await this.#discard(run.key, checkpoint);
      return {
        ...EMPTY_CHECKPOINT,
        generation: run.generation,
        positions: run.provider.spec.startChains(),
        listedAt: this.deps.clock(),
      };
    }
    const staged = await run.stage.write("changes", checkpoint.staged, entries);
    return {
      ...checkpoint,
      mode: positions.length === 0 ? "check" : "feed",
      positions,
      watermark,
      staged: checkpoint.staged + staged,
      stagedChanges: checkpoint.stagedChanges + changes,
    };
  }

  /**
   * Reads the previous copy (a batch of chunks per round trip, nothing written) to learn whether
   * any staged change is real: a feed re-reads its overlap every time, and a copy rewritten for
   * no change would cost two writes a chunk. One step; being read-only, a resume redoes it.
   */
  async #checkStep(run: Run, checkpoint: Checkpoint): Promise<Checkpoint> {
    const feed = run.provider.spec.changeFeed!;
    run.staged ??= await run.stage.read(
      checkpoint.staged,
      checkpoint.matched,
      feed.deletionCheck ?? false,
    );
    const staged = run.staged;
    const found = new Set<string>();
    let changed = false;
    for (let from = 0; from < checkpoint.baseChunks && !changed; from += CHECK_BATCH_CHUNKS) {
      const count = Math.min(CHECK_BATCH_CHUNKS, checkpoint.baseChunks - from);
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
    return { ...checkpoint, mode: changed || added ? "merge" : "unchanged" };
  }

  /** Applies the staged changes to the next MERGE_STEP_CHUNKS chunks of the previous copy. */
  async #mergeStep(run: Run, checkpoint: Checkpoint): Promise<Checkpoint> {
    const feed = run.provider.spec.changeFeed!;
    run.staged ??= await run.stage.read(
      checkpoint.staged,
      checkpoint.matched,
      feed.deletionCheck ?? false,
    );
    const count = Math.min(MERGE_STEP_CHUNKS, checkpoint.baseChunks - checkpoint.read);
    const chunks = count > 0
      ? await run.copy.readChunks(checkpoint.base!, checkpoint.read, count)
      : [];
    if (chunks.includes(null)) {
      throw new CopyIncompleteError(
        "Part of the previous copy is gone; the next sync lists again.",
      );
    }
    const last = checkpoint.read + count >= checkpoint.baseChunks;
    const merged = mergeBatch(
      run.staged,
      chunks.flatMap((items) => items!),
      last,
      new Date(this.deps.clock()).toISOString(),
      (a, b) => fingerprint(a) === fingerprint(b),
    );
    const written = chunkItems(merged.items);
    for (const [i, items] of written.entries()) {
      await run.copy.writeChunk(run.generation, checkpoint.chunks + i, items);
    }
    const changeChunks = await writeChanges(
      run.changeLog,
      run.generation,
      checkpoint,
      merged.changes,
    );
    const matched = await run.stage.write(
      "matched",
      checkpoint.matched,
      merged.matched.map((id) => ({ m: id })),
    );
    return {
      ...checkpoint,
      mode: last ? "applied" : "merge",
      read: checkpoint.read + count,
      matched: checkpoint.matched + matched,
      chunks: checkpoint.chunks + written.length,
      changeChunks: checkpoint.changeChunks + changeChunks,
      changes: checkpoint.changes + merged.changes.length,
      done: checkpoint.done + merged.items.length,
      types: countTypes(checkpoint.types, merged.items),
    };
  }

  /** Deletes what an unfinished sync wrote (its copy chunks, staged changes, checkpoint). */
  async #discard(key: string, checkpoint: Checkpoint): Promise<void> {
    const { store } = this.deps;
    await new CopyStore(store, key).deleteGeneration(checkpoint.generation, checkpoint.chunks);
    await new FeedStage(store, key, checkpoint.generation).delete(
      checkpoint.staged,
      checkpoint.matched,
    );
    await store.delete(`${key}:checkpoint`);
  }

  /** How many chunks a complete generation has; null when its record is gone. */
  async #generationChunks(key: string, generation: number): Promise<number | null> {
    const raw = await this.deps.store.get(`${key}:meta:${generation}`);
    const meta = metaSchema.safeParse(raw === null ? null : parseJson(raw));
    return meta.success ? meta.data.chunks : null;
  }

  async #checkpoint(key: string): Promise<Checkpoint | null> {
    return parseCheckpoint(await this.deps.store.get(`${key}:checkpoint`));
  }

  async #dropGeneration(copy: CopyStore, key: string, generation: number): Promise<void> {
    if (generation < 1) return;
    const chunks = await this.#generationChunks(key, generation);
    if (chunks === null) return;
    await copy.deleteGeneration(generation, chunks);
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
    if (checkpoint !== null) await this.#discard(key, checkpoint);
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
