/** HubSpot's ten-secondly rolling limit: at most `max` calls in any `intervalMs`, per account. */

export interface RateWindow {
  max: number;
  intervalMs: number;
}

export interface RateDecision {
  allowed: boolean;
  /** Calls left in the current window after this one, as X-HubSpot-RateLimit-Remaining says. */
  remaining: number;
}

export interface RollingLimiter {
  readonly window: RateWindow;
  /** Counts a call for `key` unless the window is full. Refused calls are not counted. */
  take(key: string): RateDecision;
  /** Calls left for `key` without counting one. */
  remaining(key: string): number;
  reset(): void;
}

export function rollingLimiter(window: RateWindow, clock: () => number): RollingLimiter {
  const calls = new Map<string, number[]>();
  const recent = (key: string): number[] => {
    const since = clock() - window.intervalMs;
    const list = (calls.get(key) ?? []).filter((at) => at > since);
    calls.set(key, list);
    return list;
  };
  return {
    window,
    take(key) {
      const list = recent(key);
      if (list.length >= window.max) return { allowed: false, remaining: 0 };
      list.push(clock());
      return { allowed: true, remaining: window.max - list.length };
    },
    remaining: (key) => Math.max(0, window.max - recent(key).length),
    reset: () => calls.clear(),
  };
}
