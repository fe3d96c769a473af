/**
 * Which limits one provider call counts against, keyed by what the provider really counts:
 * a HubSpot portal (whoever installed it), an Airtable base (every user and token) and token,
 * a Notion connection. Two connections reaching the same portal or base get the same key, so
 * every process and every user shares one count.
 */
import type { Connection } from "../connections/connections.ts";
import type { ApiRequest } from "../contract/calls.ts";
import type { ProviderSpec, RateLimitRule } from "../providers/spec.ts";
import { keys } from "../store/keys.ts";
import type { PaceScope } from "../store/store.ts";

/**
 * The scopes of one call, narrowest first, each with its rule. A 429 blocks scopes[0] for
 * rules[0]'s penalty (or Retry-After).
 */
export interface CallScopes {
  /** What the store reserves slots under: each window widened by its rule's margin. */
  scopes: PaceScope[];
  rules: RateLimitRule[];
  /**
   * The spacing the calls must really keep when they leave (the same keys, each window
   * widened by a third of its margin; the rest is for the way to the provider).
   */
  sends: PaceScope[];
  /** A slot this much in the past is stale: the call takes another (the narrowest margin). */
  staleMs: number;
}

/**
 * Requests reach the provider a little after their slot starts, unevenly; a window this much
 * wider than the provider's keeps its own count under the limit (a rule may say otherwise).
 */
export const PACE_MARGIN_MS = 100;

const marginOf = (rule: RateLimitRule): number => rule.marginMs ?? PACE_MARGIN_MS;

export function callScopes(
  spec: ProviderSpec,
  connection: Connection,
  request: ApiRequest,
  /** A limit the provider stated for a scope (a limit header), by scope key. */
  stated: (key: string) => number | undefined = () => undefined,
): CallScopes {
  const matched = spec.rateLimits.rules.flatMap((rule) => {
    if (rule.appliesTo !== undefined) {
      const { method, pathPattern } = rule.appliesTo;
      if (request.method !== method || !pathPattern.test(request.path)) return [];
    }
    const id = scopeId(rule, connection, request);
    if (id === null) return [];
    const key = keys.paceScope(spec.id, rule.name, id);
    const requests = stated(key) ?? rule.requests;
    const scope: PaceScope = { key, requests, windowMs: rule.windowMs + marginOf(rule) };
    const send: PaceScope = { key, requests, windowMs: rule.windowMs + marginOf(rule) / 3 };
    return [{ rule, scope, send }];
  });
  if (matched.length === 0) {
    throw new Error(`${spec.id}: no rate-limit rule covers ${request.method} ${request.path}`);
  }
  return {
    scopes: matched.map((m) => m.scope),
    rules: matched.map((m) => m.rule),
    sends: matched.map((m) => m.send),
    staleMs: Math.min(...matched.map((m) => marginOf(m.rule))),
  };
}

/** What the rule's count is kept under for this call, or null when the rule does not apply. */
function scopeId(rule: RateLimitRule, connection: Connection, request: ApiRequest): string | null {
  const ownId = `connection:${connection.owner.orgId}/${connection.owner.userId}`;
  switch (rule.per) {
    case "request_key":
      return request.rateKey === undefined ? null : `key:${request.rateKey}`;
    case "account": {
      // A connection stored before its account id was known counts by itself.
      const account = rule.accountField === undefined
        ? undefined
        : connection.extra[rule.accountField];
      return account === undefined ? ownId : `account:${account}`;
    }
    case "connection":
      return ownId;
  }
}
