/** What a provider's answer status means to the hub, read the same way by every call. */

/** How a failed call is named in the log line of the call. */
export function outcomeOf(status: number): string {
  if (status === 401) return "unauthorized";
  if (status === 429 || status === 529) return "rate_limited";
  return status >= 500 ? "server_error" : "refused";
}

/** The wait a provider asked for in Retry-After (seconds), when its spec says it is honoured. */
export function retryAfterMs(response: Response, honoured: boolean): number | null {
  if (!honoured) return null;
  const seconds = Number(response.headers.get("Retry-After"));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : null;
}

/** How one try ended when no answer came. */
export type NoAnswer = "unreachable" | "timeout";
