/**
 * Airtable's limits: 5 requests per second per base, whoever sends them, and 50 per second per
 * token; a request over either answers 429 and the base (or token) keeps answering 429 for the
 * whole penalty (30 s). Counted in the sandbox's store (SandboxRateCount), so hub processes
 * that each mount the sandbox on one store count together; the per-base statistics are this
 * process's view.
 */
import type { Store } from "../../store/store.ts";
import { type SandboxLimit, SandboxRateCount } from "../rate_count.ts";
import type { AirtableCounters } from "./state.ts";

export interface BaseRateRule {
  perBasePerSecond: number;
  penaltyMs: number;
  /** Default 50. */
  perTokenPerSecond?: number;
}

const WINDOW_MS = 1000;

export class BaseRateLimiter {
  /** Arrivals per base in this process, refused ones included: what the statistics show. */
  readonly #arrivals = new Map<string, number[]>();
  readonly #count: SandboxRateCount;
  readonly #base: SandboxLimit;
  readonly #token: SandboxLimit;

  constructor(
    readonly rule: BaseRateRule,
    private readonly clock: () => number,
    private readonly counters: AirtableCounters,
    store: Store,
  ) {
    this.#count = new SandboxRateCount(store, "airtable");
    this.#base = { name: "base", requests: rule.perBasePerSecond, windowMs: WINDOW_MS };
    this.#token = { name: "token", requests: rule.perTokenPerSecond ?? 50, windowMs: WINDOW_MS };
  }

  /** Counts one request with `token`, to `baseId` if it names one; false: answer 429. */
  async admit(baseId: string | null, token: string): Promise<boolean> {
    const counted = [{ limit: this.#token, id: token }];
    if (baseId !== null) {
      counted.unshift({ limit: this.#base, id: baseId });
      this.#note(baseId);
    }
    const check = await this.#count.take(counted);
    if (check.allowed) return true;
    // Whichever limit is full starts its penalty; one already blocked keeps its own end.
    for (const [i, { limit, id }] of counted.entries()) {
      if (check.used[i] >= limit.requests) {
        await this.#count.block(limit, id, this.rule.penaltyMs);
      }
    }
    if (baseId !== null) this.counters.perBase[baseId].rateLimited++;
    this.counters.rateLimited++;
    return false;
  }

  /** Forgets every arrival and penalty (counters are kept). */
  reset(): void {
    this.#arrivals.clear();
    this.#count.reset();
  }

  #note(baseId: string): void {
    const now = this.clock();
    const recent = (this.#arrivals.get(baseId) ?? []).filter((t) => t > now - WINDOW_MS);
    recent.push(now);
    this.#arrivals.set(baseId, recent);
    const stats = this.counters.perBase[baseId] ??= {
      requests: 0,
      maxPerSecond: 0,
      rateLimited: 0,
    };
    stats.requests++;
    stats.maxPerSecond = Math.max(stats.maxPerSecond, recent.length);
  }
}
