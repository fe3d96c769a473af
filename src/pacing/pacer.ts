/**
 * The hub's one pacer: every provider call takes a slot from the store (Store.pace) before it
 * leaves, so every process and Worker isolate sharing the store stays under the provider's
 * limits together. On Upstash a listing's concurrent calls under the same scopes share one
 * round trip (one slot each), and a 429 seen by anyone blocks the scope for everyone.
 */
import type { PaceScope, Store } from "../store/store.ts";
import { CallTimes } from "./call_times.ts";

/** Most slots one round trip reserves (fairness: another caller's turn comes in between). */
const MAX_BATCH = 10;
/** How many recent delays (round trips, late wake-ups) set the lateness allowance. */
const RECENT_DELAYS = 20;
/** The most the allowance widens a window by, whatever one stall measured. */
const MAX_LATENESS_MS = 500;

/** The next free slot is further away than the caller may wait. */
export class RateLimitWaitTooLong extends Error {
  constructor(readonly waitMs: number) {
    super(`the next rate-limit slot is ${Math.ceil(waitMs)} ms away`);
    this.name = "RateLimitWaitTooLong";
  }
}

export interface PacerDeps {
  store: Store;
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  /**
   * Whether a listing's calls that ask in the same turn share one Store.pace (default true):
   * worth a timer turn per batch (about 2 ms on Deno) when pace is a round trip, as on
   * Upstash; not in one process, whose pace is its own book.
   */
  shareRoundTrips?: boolean;
}

/** What pacing has cost this process: store round trips and the time they took. */
export interface PacerStats {
  roundTrips: number;
  slots: number;
  totalMs: number;
}

/** Shared by a process: the store, and the blocks this process has seen (checked after a wait). */
export class Pacer {
  readonly #blockedUntil = new Map<string, number>();
  /** Limits providers stated in their answers (X-HubSpot-RateLimit-Max), by scope key. */
  readonly #stated = new Map<string, number>();
  readonly stats: PacerStats = { roundTrips: 0, slots: 0, totalMs: 0 };
  /** The last round trips' durations and wake-up delays, ms. */
  readonly #recentDelays: number[] = [];
  /** When this process's calls really left, and how long their answers took. */
  readonly calls: CallTimes;

  constructor(readonly deps: PacerDeps) {
    this.calls = new CallTimes(deps.clock);
  }

  /**
   * A pacer for one listing. Its calls batch only with each other: on Workers a request may
   * not wait on I/O that another request started.
   */
  session(): PaceSession {
    return new PaceSession(this);
  }

  /** The limit the provider last stated for a scope, if it states one. */
  statedLimit(key: string): number | undefined {
    return this.#stated.get(key);
  }

  noteStatedLimit(key: string, requests: number): void {
    this.#stated.set(key, requests);
  }

  /** Remembers a block this process saw, so its own waiters re-check after sleeping. */
  noteBlock(keys: readonly string[], ms: number): void {
    const until = this.deps.clock() + ms;
    for (const key of keys) {
      this.#blockedUntil.set(key, Math.max(until, this.#blockedUntil.get(key) ?? 0));
    }
  }

  /** Whether a block this process knows of still covers one of `scopes`. */
  isBlocked(scopes: readonly PaceScope[]): boolean {
    const now = this.deps.clock();
    return scopes.some((scope) => (this.#blockedUntil.get(scope.key) ?? 0) > now);
  }

  /**
   * One Store.pace round trip, counted. A slot's wait is counted from when the store ran the
   * script, and the caller only learns it when the answer arrives (and wakes when its event
   * loop lets it): a call can start up to a round trip plus a wake-up delay late, so its slots
   * count as late as the slowest recent delay against the slots reserved after them, by any
   * process (a few ms when quiet; on a loaded machine it keeps late calls from bunching up).
   * Slots also count as late as recent calls reached the provider unevenly, and this process's
   * own later calls keep clear of when its calls really left (CallTimes).
   */
  async reserve(
    scopes: readonly PaceScope[],
    count: number,
    maxWaitMs: number | null,
    block: { keys: readonly string[]; ms: number } | undefined,
  ) {
    const lateMs = Math.ceil(
      Math.min(
        MAX_LATENESS_MS,
        Math.max(0, ...this.#recentDelays) + this.calls.arrivalSpreadMs(scopes),
      ),
    );
    const started = performance.now();
    try {
      const answer = await this.deps.store.pace({ scopes, count, maxWaitMs, block, lateMs });
      // Counted from the answer's arrival, never from before it: a caller that woke before the
      // store's time would start before its slot.
      return { ...answer, from: this.deps.clock() };
    } finally {
      const ms = performance.now() - started;
      this.stats.roundTrips++;
      this.stats.slots += count;
      this.stats.totalMs += ms;
      this.noteDelay(ms);
    }
  }

  /** A delay a slot's call may have started late by. */
  noteDelay(ms: number): void {
    this.#recentDelays.push(ms);
    if (this.#recentDelays.length > RECENT_DELAYS) this.#recentDelays.shift();
  }
}

interface Waiter {
  /** The slot's start (this pacer's clock), or why there is none. */
  settle(startAt: number | RateLimitWaitTooLong | Error): void;
}

/** Callers waiting under the same scopes and bound, and the block they will carry. */
interface Group {
  scopes: readonly PaceScope[];
  maxWaitMs: number | null;
  waiting: Waiter[];
  block: { keys: string[]; ms: number } | undefined;
  inFlight: boolean;
  scheduled: boolean;
}

/** One listing's (or sync step's) view of the pacer. */
export class PaceSession {
  readonly #groups = new Map<string, Group>();

  constructor(readonly pacer: Pacer) {}

  /**
   * Waits for one slot under every scope and says when (this pacer's clock) it started. With
   * `maxWaitMs`, a slot further away than that is not taken: RateLimitWaitTooLong says when one
   * would be free.
   */
  async acquire(scopes: readonly PaceScope[], maxWaitMs: number | null): Promise<number> {
    const { clock, sleep } = this.pacer.deps;
    while (true) {
      const group = this.#group(scopes, maxWaitMs);
      const answer = await new Promise<number | RateLimitWaitTooLong | Error>((resolve) => {
        group.waiting.push({ settle: resolve });
        this.#schedule(group);
      });
      if (answer instanceof Error) throw answer;
      const startAt = answer;
      if (startAt > clock()) {
        await sleep(startAt - clock());
        this.pacer.noteDelay(clock() - startAt);
      }
      // A 429 this process saw while the caller slept blocks its reserved start too.
      if (!this.pacer.isBlocked(scopes)) return startAt;
    }
  }

  /**
   * Blocks `keys` (some of `scopes`) for `ms` for every process: a 429. `then` says how: the
   * block rides on this session's next reservation under `scopes` with that bound (the call's
   * retry, so no extra round trip), or with "alone" it is sent now (no call follows).
   */
  async block(
    scopes: readonly PaceScope[],
    keys: readonly string[],
    ms: number,
    then: { retryMaxWaitMs: number | null } | "alone",
  ): Promise<void> {
    this.pacer.noteBlock(keys, ms);
    if (then === "alone") {
      await this.pacer.reserve(scopes, 0, null, { keys, ms });
      return;
    }
    const group = this.#group(scopes, then.retryMaxWaitMs);
    const merged = new Set([...(group.block?.keys ?? []), ...keys]);
    group.block = { keys: [...merged], ms: Math.max(ms, group.block?.ms ?? 0) };
  }

  #group(scopes: readonly PaceScope[], maxWaitMs: number | null): Group {
    const id = JSON.stringify([scopes.map((s) => [s.key, s.requests, s.windowMs]), maxWaitMs]);
    let group = this.#groups.get(id);
    if (group === undefined) {
      group = {
        scopes,
        maxWaitMs,
        waiting: [],
        block: undefined,
        inFlight: false,
        scheduled: false,
      };
      this.#groups.set(id, group);
    }
    return group;
  }

  /**
   * Flushes on the next turn of the event loop: a listing's chains ask for their slots within
   * the same turn, and so share one round trip. Without round trips to share, at once.
   */
  #schedule(group: Group): void {
    if (this.pacer.deps.shareRoundTrips === false) return this.#flush(group);
    if (group.scheduled) return;
    group.scheduled = true;
    const scheduledAt = performance.now();
    setTimeout(() => {
      group.scheduled = false;
      // How long this turn took to come is how late a call of this process may leave.
      this.pacer.noteDelay(performance.now() - scheduledAt);
      this.#flush(group);
    }, 0);
  }

  /** Sends one round trip for every caller waiting in `group`, unless one is on its way. */
  #flush(group: Group): void {
    if (group.inFlight || group.waiting.length === 0) return;
    const batch = group.waiting.splice(0, MAX_BATCH);
    const block = group.block;
    group.block = undefined;
    group.inFlight = true;
    this.pacer.reserve(group.scopes, batch.length, group.maxWaitMs, block).then(
      (answer) => {
        batch.forEach((waiter, i) =>
          waiter.settle(
            i < answer.waitsMs.length
              ? answer.from + answer.waitsMs[i]
              : new RateLimitWaitTooLong(answer.refusedWaitMs ?? 0),
          )
        );
      },
      (error: Error) => batch.forEach((waiter) => waiter.settle(error)),
    ).finally(() => {
      group.inFlight = false;
      this.#flush(group);
    });
  }
}
