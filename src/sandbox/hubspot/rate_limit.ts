/**
 * HubSpot's limits per account (portal), whoever installed the app: at most `max` calls in any
 * rolling `intervalMs` (100 per 10 s; CRM search has its own 5 per second). Counted in the
 * sandbox's store (SandboxRateCount), so hub processes that each mount the sandbox on one store
 * count together.
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

export interface RollingLimiter {
  readonly window: RateWindow;
  /** Counts a call for the account `key` unless the window is full; refused calls do not count. */
  take(key: string): Promise<RateDecision>;
  /** Calls left for `key` without counting one. */
  remaining(key: string): Promise<number>;
  reset(): void;
}

/** One of HubSpot's windows (`name`: "portal" for the rolling one, "search" for search's). */
export function rollingLimiter(window: RateWindow, store: Store, name: string): RollingLimiter {
  const count = new SandboxRateCount(store, "hubspot");
  const limit: SandboxLimit = { name, requests: window.max, windowMs: window.intervalMs };
  return {
    window,
    async take(key) {
      const check = await count.take([{ limit, id: key }]);
      return { allowed: check.allowed, remaining: Math.max(0, window.max - check.used[0]) };
    },
    remaining: async (key) => Math.max(0, window.max - await count.used(limit, key)),
    reset: () => count.reset(),
  };
}
