/**
 * Background syncs: every connection in the registry is synced again once its interval has
 * passed, when a sync was asked for, or when the process running its sync died (its lease
 * lapsed, its checkpoint stays). The Deno entry ticks this on a timer; the Worker from a Cron
 * Trigger. Several processes may tick at once: the lease lets one sync each connection.
 */
import type { Logger } from "../log.ts";
import { type ActiveProvider, activeProviders, type ProviderDeps } from "../providers/registry.ts";
import type { Store } from "../store/store.ts";
import { syncKey } from "./engine.ts";
import type { SyncService } from "./service.ts";
import { MARGIN, RUN_END, RUN_START } from "./costs.ts";
import { parseStatus, type SyncStatus } from "./status.ts";

export interface SchedulerDeps {
  store: Store;
  sync: SyncService;
  /** The active provider of an id, or null when it is no longer configured. */
  provider: (id: string) => ActiveProvider | null;
  intervalMs: number;
  clock: () => number;
  log: Logger;
  /**
   * Subrequests one tick may spend, the syncs it runs and its own reads together (a Worker
   * invocation's); null: no bound.
   */
  tickSubrequests: number | null;
}

/** A run that cannot take even a small step is not started. */
const SMALLEST_RUN = RUN_START + RUN_END + MARGIN + 10;

export class SyncScheduler {
  constructor(private readonly deps: SchedulerDeps) {}

  /**
   * Runs every due sync, one after another, within the tick's subrequests (a sync that does not
   * finish goes on at the next tick from its checkpoint); answers how many ran.
   */
  async tick(): Promise<number> {
    const { sync, store } = this.deps;
    const limits = sync.limits(this.deps.tickSubrequests);
    let ran = 0;
    for (const entry of await sync.registry.list()) {
      const provider = this.deps.provider(entry.provider);
      if (provider === null) continue;
      if (limits.budget !== null && !limits.budget.fits(SMALLEST_RUN + 1)) break;
      const owner = { userId: entry.userId, orgId: entry.orgId };
      const key = syncKey(entry.provider, owner);
      const [status, lease, requested] = await store.getMany(
        ["status", "lease", "requested"].map((part) => `${key}:${part}`),
      );
      if (!this.#due(parseStatus(status), lease !== null, requested !== null)) continue;
      await sync.engine.run(provider, owner, limits);
      ran++;
    }
    return ran;
  }

  #due(status: SyncStatus, leased: boolean, requested: boolean): boolean {
    if (leased) return false;
    // Running without a lease: its process died; the checkpoint lets this one resume.
    if (status.state === "running" || status.state === "never" || requested) return true;
    const finished = status.finishedAt === null ? 0 : Date.parse(status.finishedAt);
    return finished + this.deps.intervalMs <= this.deps.clock();
  }

  /** Ticks every `everyMs` until stopped; a tick never overlaps the previous one. */
  start(everyMs: number): { stop(): Promise<void> } {
    let stopped = false;
    let current: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      current = current.then(() =>
        stopped ? 0 : this.tick().catch((error) => {
          this.deps.log.error("sync schedule", {
            outcome: "tick_failed",
            reason: error instanceof Error ? error.message : "unknown",
          });
        })
      );
    }, everyMs);
    return {
      stop: async () => {
        stopped = true;
        clearInterval(timer);
        await current;
      },
    };
  }
}

/** What the scheduler takes from the hub's services (src/services.ts builds them). */
export interface SchedulerServices extends ProviderDeps {
  config: ProviderDeps["config"] & { syncIntervalMs: number | null };
  store: Store;
  sync: SyncService;
  clock: () => number;
  log: Logger;
}

/**
 * The scheduler both entries run, from the hub's services; null when background syncs are off
 * (SYNC_INTERVAL_MINUTES=0).
 */
export function schedulerFor(
  services: SchedulerServices,
  tickSubrequests: number | null,
): SyncScheduler | null {
  const interval = services.config.syncIntervalMs;
  if (interval === null) return null;
  return new SyncScheduler({
    store: services.store,
    sync: services.sync,
    provider: (id) => activeProviders(services).find((p) => p.spec.id === id) ?? null,
    intervalMs: interval,
    clock: services.clock,
    log: services.log,
    tickSubrequests,
  });
}
