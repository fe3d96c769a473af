/**
 * Airtable's per-base limit: 5 requests per second per base, whoever sends them; a request
 * over it answers 429 and the base keeps answering 429 for the whole penalty (30 s).
 */
import type { AirtableCounters } from "./state.ts";

export interface BaseRateRule {
  perBasePerSecond: number;
  penaltyMs: number;
}

const WINDOW_MS = 1000;

export class BaseRateLimiter {
  readonly #arrivals = new Map<string, number[]>();
  readonly #blockedUntil = new Map<string, number>();

  constructor(
    readonly rule: BaseRateRule,
    private readonly clock: () => number,
    private readonly counters: AirtableCounters,
  ) {}

  /** Counts one request to `baseId`; false when it must be answered 429. */
  admit(baseId: string): boolean {
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
    const blocked = (this.#blockedUntil.get(baseId) ?? 0) > now;
    if (!blocked && recent.length <= this.rule.perBasePerSecond) return true;
    if (!blocked) this.#blockedUntil.set(baseId, now + this.rule.penaltyMs);
    stats.rateLimited++;
    this.counters.rateLimited++;
    return false;
  }

  /** Ms left of the penalty on `baseId` (0 when none). */
  penaltyLeft(baseId: string): number {
    return Math.max(0, (this.#blockedUntil.get(baseId) ?? 0) - this.clock());
  }

  /** Forgets every arrival and penalty (counters are kept). */
  reset(): void {
    this.#arrivals.clear();
    this.#blockedUntil.clear();
  }
}
