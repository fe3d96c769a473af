import type { Fetch } from "../contract/calls.ts";

/**
 * Every request through the returned fetch is aborted after `tryTimeoutMs` (a hanging provider
 * must not hold a request forever), or earlier when the caller's own signal fires.
 */
export function boundedFetch(fetch: Fetch, tryTimeoutMs: number): Fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(tryTimeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return fetch(input, { ...init, signal });
  };
}
