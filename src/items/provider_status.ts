/** What a provider's answer status means to the hub, read the same way by every call. */
import type { CallScopes } from "../pacing/scopes.ts";
import type { ProviderSpec } from "../providers/spec.ts";

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

/**
 * The limit the provider says it applies to the call's narrowest scope (HubSpot:
 * X-HubSpot-RateLimit-Max), so the pacer paces for it; null when it says none.
 */
export function statedLimit(
  limits: ProviderSpec["rateLimits"],
  response: Response,
  paced: CallScopes,
): number | null {
  const stated = limits.limitHeader;
  if (stated === undefined) return null;
  const value = Number(response.headers.get(stated.header));
  // Only an answer counted first under that rule states its limit (a search answer states
  // the search limit in the same header).
  if (paced.rules[0].name !== stated.rule || !Number.isInteger(value) || value < 1) return null;
  return value;
}
