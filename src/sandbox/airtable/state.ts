/** The Airtable sandbox's in-memory state: one per sandbox. */
import type { AirtableBase, AirtableUser } from "./data.ts";
import type { BaseRateLimiter } from "./rate_limit.ts";

/** A canned answer a test puts in front of the next request of a kind. */
export interface InjectedFault {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long first (a slow or hanging provider); ends early if the client goes away. */
  delayMs?: number;
}

export type FaultKind = "token" | "api";

/**
 * One user's grant to the integration. Each refresh bumps `generation`: only the tokens of the
 * current generation work, so a rotation kills the previous refresh AND access token.
 */
export interface Authorization {
  scopes: string[];
  generation: number;
  revoked: boolean;
}

export interface IssuedToken {
  authorization: Authorization;
  generation: number;
  expiresAt: number;
}

export interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  scopes: string[];
  expiresAt: number;
}

/** A records listing in progress: its offsets (itr…/rec…) name it. */
export interface ListIterator {
  baseId: string;
  tableId: string;
  expired: boolean;
  /** Records still allowed by the listing's maxRecords; null: no bound. */
  remaining: number | null;
}

export interface BaseCounters {
  requests: number;
  /** The most requests that reached this base within any one second. */
  maxPerSecond: number;
  rateLimited: number;
}

export interface AirtableCounters {
  tokenCalls: number;
  codeExchanges: number;
  refreshes: number;
  /** Refresh requests with an already-rotated refresh token. */
  reusedRefreshTokens: number;
  apiCalls: number;
  /** 429s sent by the per-base limit (injected faults not included). */
  rateLimited: number;
  /** 422 LIST_RECORDS_ITERATOR_NOT_AVAILABLE answers sent. */
  expiredIterators: number;
  perBase: Record<string, BaseCounters>;
}

export interface AirtableState {
  clientId: string;
  /** "" for an integration without a secret (public client). */
  clientSecret: string;
  /** Kept by reference: a caller may register its redirect URI after creating the sandbox. */
  redirectUris: string[];
  bases: AirtableBase[];
  user: AirtableUser;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  basesPageSize: number;
  revokeOnRefreshReuse: boolean;
  latencyMs: number;
  clock: () => number;
  limiter: BaseRateLimiter;
  codes: Map<string, PendingCode>;
  accessTokens: Map<string, IssuedToken>;
  refreshTokens: Map<string, IssuedToken>;
  iterators: Map<string, ListIterator>;
  faults: Record<FaultKind, InjectedFault[]>;
  counters: AirtableCounters;
}

/** Authorization codes must be exchanged within ten minutes. */
export const CODE_TTL_MS = 10 * 60 * 1000;

/** Scopes an integration can hold (the read/write ones Airtable documents for records and schema). */
export const KNOWN_SCOPES: readonly string[] = [
  "data.records:read",
  "data.records:write",
  "data.recordComments:read",
  "data.recordComments:write",
  "schema.bases:read",
  "schema.bases:write",
  "webhook:manage",
  "block:manage",
  "user.email:read",
];

/** Random letters and digits after a prefix. */
export function randomId(prefix: string, length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return prefix + Array.from(bytes, (b) => alphabet[b % 62]).join("");
}

/** True while the token works: its grant is alive, it is the current generation, not expired. */
export function isLive(token: IssuedToken | undefined, now: number): token is IssuedToken {
  return token !== undefined && !token.authorization.revoked &&
    token.generation === token.authorization.generation && token.expiresAt > now;
}

/**
 * Waits `ms`, or less when the request's client gives up (so a hanging fault cannot keep the
 * server from shutting down). The signal is only touched when there is a wait.
 */
export function pause(ms: number, request?: Request): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  const signal = request?.signal;
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

export function newCounters(): AirtableCounters {
  return {
    tokenCalls: 0,
    codeExchanges: 0,
    refreshes: 0,
    reusedRefreshTokens: 0,
    apiCalls: 0,
    rateLimited: 0,
    expiredIterators: 0,
    perBase: {},
  };
}
