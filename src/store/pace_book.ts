/**
 * Store.pace for the stores that live in one process (memory, embedded): the same rules as the
 * Upstash script (src/store/pace_script.ts), kept in this process's memory. The embedded store
 * serves one process, so an in-process book is all its callers share.
 */
import type { PaceAnswer, PaceRequest } from "./store.ts";

export class PaceBook {
  /** Per scope key, each reserved start plus its caller's lateness, ascending. */
  readonly #starts = new Map<string, number[]>();
  readonly #blockedUntil = new Map<string, number>();

  constructor(private readonly clock: () => number) {}

  pace(request: PaceRequest): PaceAnswer {
    const now = this.clock();
    if (request.block !== undefined && request.block.ms > 0) {
      const until = now + request.block.ms;
      for (const key of request.block.keys) {
        this.#blockedUntil.set(key, Math.max(until, this.#blockedUntil.get(key) ?? 0));
      }
    }
    const lists = request.scopes.map((scope) => {
      // Callers may widen a window differently: keep twice as much as this one needs.
      const horizon = now - 2 * scope.windowMs - 1000;
      const list = (this.#starts.get(scope.key) ?? []).filter((t) => t > horizon);
      this.#starts.set(scope.key, list);
      return list;
    });
    const waitsMs: number[] = [];
    let refusedWaitMs: number | null = null;
    for (let slot = 0; slot < request.count; slot++) {
      let start = now;
      request.scopes.forEach((scope, i) => {
        const list = lists[i];
        start = Math.max(start, this.#blockedUntil.get(scope.key) ?? 0);
        // The window may hold another start once the `requests`-th latest has left it. Every
        // later start counts too, so a start may fall before one reserved under another
        // scope's wait (no call waits behind another base's turn) and still no window holds
        // more than `requests`; under one scope starts still come in order.
        if (list.length >= scope.requests) {
          start = Math.max(start, list[list.length - scope.requests] + scope.windowMs);
        }
      });
      if (request.maxWaitMs !== null && start - now > request.maxWaitMs) {
        refusedWaitMs = start - now;
        break;
      }
      const late = start + Math.max(0, request.lateMs ?? 0);
      for (const list of lists) {
        let at = list.length;
        while (at > 0 && list[at - 1] > late) at--;
        list.splice(at, 0, late);
      }
      waitsMs.push(start - now);
    }
    const end = now + (waitsMs.at(-1) ?? 0);
    const used = request.scopes.map((scope, i) =>
      lists[i].filter((t) => t > end - scope.windowMs).length
    );
    for (const [key, until] of this.#blockedUntil) {
      if (until <= now) this.#blockedUntil.delete(key);
    }
    for (const [key, list] of this.#starts) {
      if (list.length === 0) this.#starts.delete(key);
    }
    return { waitsMs, refusedWaitMs, used };
  }
}
