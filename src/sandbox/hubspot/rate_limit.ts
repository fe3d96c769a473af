/**
 * HubSpot's limits per account (portal), whoever installed the app: at most `max` calls in any
 * rolling `intervalMs` (100 per 10 s), and CRM search's own 5 per second, which counts against
 * the rolling limit too. Counted in the sandbox's store (SandboxRateCount), so hub processes
 * that each mount the sandbox on one store count together.
 */
import type { Store } from "../../store/store.ts";
import { type SandboxLimit, SandboxRateCount } from "../rate_count.ts";

export interface RateWindow {
  max: number;
  intervalMs: number;
}

export interface RateDecision {
  allowed: boolean;
  /** Calls left in the current window after this one, as X-HubSpot-RateLimit-Remaining says. */
  remaining: number;
}

/** CRM search: 5 requests per second per account. */
export const SEARCH_WINDOW: RateWindow = { max: 5, intervalMs: 1000 };

export interface RollingLimiter {
  readonly window: RateWindow;
  /**
   * Counts a call for the account `key` unless a window is full; refused calls are not
   * counted. A `search` call counts against the search limit as well.
   */
  take(key: string, kind?: "search"): Promise<RateDecision>;
  /** Calls left for `key` without counting one. */
  remaining(key: string): Promise<number>;
  reset(): void;
}

export function rollingLimiter(window: RateWindow, store: Store): RollingLimiter {
  const count = new SandboxRateCount(store, "hubspot");
  const rolling: SandboxLimit = {
    name: "portal",
    requests: window.max,
    windowMs: window.intervalMs,
  };
  const search: SandboxLimit = {
    name: "search",
    requests: SEARCH_WINDOW.max,
    windowMs: SEARCH_WINDOW.intervalMs,
  };
  return {
    window,
    async take(key, kind) {
      const counted = [{ limit: rolling, id: key }];
      if (kind === "search") counted.push({ limit: search, id: key });
      const check = await count.take(counted);
      return { allowed: check.allowed, remaining: Math.max(0, window.max - check.used[0]) };
    },
    remaining: async (key) => Math.max(0, window.max - await count.used(rolling, key)),
    reset: () => count.reset(),
  };
}
