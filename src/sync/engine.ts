/**
 * Syncs one connection into its copy, step by step (a full listing: src/sync/full_listing.ts;
 * a change feed: src/sync/feed_steps.ts), saving a checkpoint after each step. A sync whose
 * process dies, or whose run reached its limit (a Worker invocation's subrequests), is resumed
 * from its last step by whichever process next holds the connection's lease. Only a complete
 * generation is read from; the one before it is kept for cursors in flight.
 */
import type { Owner } from "../connections/connections.ts";
import { HubError } from "../errors.ts";
import { silentLogger } from "../log.ts";
import type { ActiveProvider } from "../providers/registry.ts";
import { StoreUnavailableError } from "../store/store.ts";
import { ChangeLog } from "./changes.ts";
import { type Checkpoint, EMPTY_CHECKPOINT, isListed, parseCheckpoint } from "./checkpoint.ts";
import { CopyStore } from "./copy.ts";
import { finishCost, MARGIN, PER_CALL, RUN_END, stepCost } from "./costs.ts";
import { FeedStage } from "./feed_stage.ts";
import { checkStep, feedStep, mergeStep } from "./feed_steps.ts";
import { finish, generationMeta } from "./finish.ts";
import { listStep } from "./full_listing.ts";
import { discardKeys, forgetSync } from "./forget.ts";
import { checkpointKey, type Run, type StepResult, type SyncDeps, syncKey } from "./run.ts";
import { parseStatus, type SyncStatus } from "./status.ts";
import type { SubrequestBudget } from "./subrequests.ts";

export { type SyncDeps, syncKey } from "./run.ts";

/**
 * A full listing at least this often (a day), whatever the change feed says: it catches what a
 * feed cannot show (HubSpot merges, an edit lost in search's lag) and resets the watermark.
 */
export const FULL_RELIST_MS = 24 * 60 * 60 * 1000;

/** "paused": the run's limit was reached; the checkpoint lets the next run go on from there. */
export type SyncOutcome = "synced" | "busy" | "failed" | "paused";

/** How far one run may go: steps, and subrequests (a Worker invocation's); null: no bound. */
export interface RunLimits {
  steps: number | null;
  budget: SubrequestBudget | null;
}

export const UNLIMITED: RunLimits = { steps: null, budget: null };

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
   * Runs a sync of one connection to its end or its limits (and once more if one was asked for
   * meanwhile), or answers "busy" when another process holds its lease. A request is recorded
   * before the lease is tried, and a holder looks for requests after it lets the lease go, so a
   * request that meets a finishing holder is never lost: one of the two runs it. However a run
   * ends (synced, paused, failed), it lets its lease go.
   */
  async run(
    provider: ActiveProvider,
    owner: Owner,
    limits: RunLimits = UNLIMITED,
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
          outcome = await this.#once(provider, owner, key, holder, limits);
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
    limits: RunLimits,
  ): Promise<SyncOutcome> {
    const { store, clock } = this.deps;
    const log = this.deps.log ?? silentLogger;
    const started = clock();
    const [rawStatus, rawCheckpoint] = await store.getMany([
      `${key}:status`,
      checkpointKey(key),
    ]);
    const before = parseStatus(rawStatus);
    let resumed = parseCheckpoint(rawCheckpoint);
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
    await store.set(`${key}:status`, JSON.stringify(status));
    const run: Run = {
      deps: this.deps,
      provider,
      owner,
      key,
      generation,
      log,
      before,
      copy: new CopyStore(store, key),
      changeLog: new ChangeLog(store, key, clock),
      stage: new FeedStage(store, key, generation),
      compare: null,
      staged: null,
      feedApi: null,
    };
    const paused = (): SyncOutcome => {
      log.info("sync", {
        provider: provider.spec.id,
        outcome: "paused",
        done: checkpoint.done,
        subrequests: limits.budget?.spent ?? null,
      });
      return "paused";
    };
    // Unbounded runs list a full listing's next step while the last step's writes land: such a
    // step reads only the provider and this run's memory. A flush's failure is kept, not thrown
    // unhandled, until the run waits for it.
    let landing: Promise<{ error: unknown } | undefined> | null = null;
    const landed = async (): Promise<void> => {
      const failed = await landing;
      landing = null;
      if (failed) throw failed.error;
    };
    try {
      for (let steps = 0; !isListed(checkpoint); steps++) {
        if (limits.steps !== null && steps >= limits.steps) {
          await landed();
          return paused();
        }
        const cost = stepCost(run, checkpoint);
        let callBudget: number | null = null;
        if (limits.budget !== null) {
          // What is left for provider calls once the step's own commands and the run's end are paid.
          const left = limits.budget.left - cost.fixed - RUN_END - MARGIN;
          if (left < 0) return paused();
          if (cost.calls === null) {
            callBudget = Math.floor(left / PER_CALL);
            if (callBudget < 1) return paused();
          } else if (cost.calls * PER_CALL > left) return paused();
        }
        const overlaps = limits.budget === null && checkpoint.mode === "full";
        if (!overlaps) await landed();
        const step = await this.#step(run, checkpoint, callBudget);
        await landed();
        checkpoint = step.checkpoint;
        if (!(await store.replaceIfEquals(`${key}:lease`, holder, holder, this.deps.leaseMs))) {
          log.warn("sync", { provider: provider.spec.id, outcome: "lease_lost" });
          return "busy";
        }
        status = { ...status, progress: { done: checkpoint.done, total: null } };
        landing = step.writes
          .set(checkpointKey(key), JSON.stringify(checkpoint))
          .set(`${key}:status`, JSON.stringify(status))
          .flush(store)
          .then(() => undefined, (error: unknown) => ({ error }));
      }
      await landed();
      if (
        limits.budget !== null &&
        !limits.budget.fits(finishCost(run, checkpoint) + RUN_END + MARGIN)
      ) {
        return paused();
      }
      const changes = await finish(run, checkpoint, status);
      log.info("sync", {
        provider: provider.spec.id,
        outcome: "synced",
        mode: checkpoint.mode === "full" ? "full" : "incremental",
        items: checkpoint.mode === "unchanged" ? before.items : checkpoint.done,
        changes,
        ms: clock() - started,
        subrequests: limits.budget?.spent ?? null,
      });
      return "synced";
    } catch (error) {
      // The last step's writes land before the failure is recorded after them.
      await landing;
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
      await store.set(
        `${key}:status`,
        JSON.stringify(
          {
            ...status,
            state: "failed",
            finishedAt: new Date(clock()).toISOString(),
            progress: null,
            lastError: failure,
          } satisfies SyncStatus,
        ),
      ).catch(() => {});
      return "failed";
    }
  }

  #step(run: Run, checkpoint: Checkpoint, callBudget: number | null): Promise<StepResult> {
    switch (checkpoint.mode) {
      case "full":
        return listStep(run, checkpoint, callBudget);
      case "feed":
        return feedStep(run, checkpoint, (at) => this.#discard(run.key, at));
      case "check":
        return checkStep(run, checkpoint);
      default:
        return mergeStep(run, checkpoint);
    }
  }

  /**
   * How a sync that starts afresh brings the copy up to date: from the provider's change feed
   * when it has one, the previous sync left a watermark and a complete copy, and the last full
   * listing is recent; otherwise by listing the whole account (compared with the previous copy).
   */
  async #plan(
    provider: ActiveProvider,
    key: string,
    before: SyncStatus,
    generation: number,
    now: number,
  ): Promise<Checkpoint> {
    const fresh = { ...EMPTY_CHECKPOINT, generation };
    const meta = before.generation === null
      ? null
      : await generationMeta(this.deps.store, key, before.generation);
    const baseChunks = meta?.chunks ?? null;
    const base = meta === null
      ? {}
      : { base: before.generation, baseChunks: meta.chunks, baseEntries: meta.entries };
    const feed = provider.spec.changeFeed;
    if (
      feed !== undefined && baseChunks !== null && before.watermark !== null &&
      before.listedAt !== null && now - before.listedAt < FULL_RELIST_MS &&
      before.state !== "failed"
    ) {
      const positions = feed.startChains(before.watermark);
      if (positions !== null) {
        return { ...fresh, ...base, mode: "feed", positions, watermark: before.watermark };
      }
    }
    return { ...fresh, ...base, positions: provider.spec.startChains(), listedAt: now };
  }

  /** Deletes what an unfinished sync wrote (its copy chunks, staged changes, checkpoint). */
  async #discard(key: string, checkpoint: Checkpoint): Promise<void> {
    await this.deps.store.deleteMany(discardKeys(this.deps.store, key, checkpoint));
  }

  /** Deletes a connection's copy, change log and sync records (a disconnect). */
  forget(provider: string, owner: Owner): Promise<void> {
    return forgetSync(this.deps, syncKey(provider, owner));
  }
}
