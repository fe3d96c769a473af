/**
 * Paces calls ahead of a provider's limit: at most `requests` starts per key in any sliding
 * window of `windowMs` (plus a margin), and nothing at all for a key while a 429 penalty runs.
 * In-process. Each caller reserves the earliest free start at once (first come, first served),
 * so a caller knows how long it would wait before it waits, and one that would wait too long
 * is told so at once instead of joining the queue.
 */
export class RateLimiter {
  /** Reserved start times per key, ascending; those before the window are dropped. */
  readonly #starts = new Map<string, number[]>();
  readonly #blockedUntil = new Map<string, number>();

  /**
   * Requests reach the provider a little after they start, unevenly; a window this much wider
   * than the provider's keeps its own count under the limit.
   */
  static readonly MARGIN_MS = 100;
  private readonly windowMs: number;

  constructor(
    private readonly requests: number,
    providerWindowMs: number,
    private readonly clock: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    this.windowMs = providerWindowMs + RateLimiter.MARGIN_MS;
  }

  /**
   * Waits for this key's next start. With `maxWaitMs`, a slot further away than that is not
   * taken: RateLimitWaitTooLong says when one would be free.
   */
  async acquire(key: string, maxWaitMs = Infinity): Promise<void> {
    const giveUpAt = this.clock() + maxWaitMs;
    while (true) {
      const now = this.clock();
      const start = this.#earliestStart(key, now);
      if (start > giveUpAt) throw new RateLimitWaitTooLong(start - now);
      this.#starts.get(key)!.push(start);
      if (start > now) await this.sleep(start - now);
      // A 429 that arrived while this caller slept blocks its reserved start too.
      if ((this.#blockedUntil.get(key) ?? 0) <= this.clock()) return;
      const starts = this.#starts.get(key) ?? [];
      const index = starts.indexOf(start);
      if (index >= 0) starts.splice(index, 1);
    }
  }

  /** Blocks a key for `ms` after the provider said it was over its limit. */
  penalize(key: string, ms: number): void {
    const until = this.clock() + ms;
    this.#blockedUntil.set(key, Math.max(until, this.#blockedUntil.get(key) ?? 0));
  }

  /** The first start after every reservation so far that keeps the window under the limit. */
  #earliestStart(key: string, now: number): number {
    const starts = (this.#starts.get(key) ?? []).filter((t) => t > now - this.windowMs);
    this.#starts.set(key, starts);
    let start = Math.max(now, this.#blockedUntil.get(key) ?? 0, starts.at(-1) ?? now);
    if (starts.length >= this.requests) {
      // The window may start again once the `requests`-th latest start has left it.
      start = Math.max(start, starts[starts.length - this.requests] + this.windowMs);
    }
    return start;
  }
}

/** The next free slot is further away than the caller may wait. */
export class RateLimitWaitTooLong extends Error {
  constructor(readonly waitMs: number) {
    super(`the next rate-limit slot is ${Math.ceil(waitMs)} ms away`);
    this.name = "RateLimitWaitTooLong";
  }
}
