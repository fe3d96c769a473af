/**
 * Paces calls ahead of a provider's limit: at most `requests` starts per key in any sliding
 * window of `windowMs` (plus a margin), and nothing at all for a key while a 429 penalty runs.
 * In-process.
 */
export class RateLimiter {
  readonly #starts = new Map<string, number[]>();
  readonly #blockedUntil = new Map<string, number>();
  /** Serialises acquisitions per key so waiters are served in order. */
  readonly #queues = new Map<string, Promise<void>>();

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

  acquire(key: string): Promise<void> {
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.#take(key));
    this.#queues.set(key, next);
    return next;
  }

  /** Blocks a key for `ms` after the provider said it was over its limit. */
  penalize(key: string, ms: number): void {
    const until = this.clock() + ms;
    this.#blockedUntil.set(key, Math.max(until, this.#blockedUntil.get(key) ?? 0));
  }

  async #take(key: string): Promise<void> {
    while (true) {
      const now = this.clock();
      const blocked = (this.#blockedUntil.get(key) ?? 0) - now;
      if (blocked > 0) {
        await this.sleep(blocked);
        continue;
      }
      const starts = (this.#starts.get(key) ?? []).filter((t) => t > now - this.windowMs);
      if (starts.length < this.requests) {
        starts.push(now);
        this.#starts.set(key, starts);
        return;
      }
      await this.sleep(starts[0] + this.windowMs - now);
    }
  }
}
