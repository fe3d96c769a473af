/**
 * The Airtable sandbox's state. What it hands out (codes, grants, tokens, iterators) is in its
 * records (the hub's store when mounted); the rest is rebuilt the same on every start.
 */
import { z } from "zod";
import type { SandboxRecords } from "../sandbox_store.ts";
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
export const authorizationSchema = z.object({
  scopes: z.array(z.string()),
  generation: z.number(),
  revoked: z.boolean(),
});
export type Authorization = z.infer<typeof authorizationSchema>;

/** An access or refresh token: of which grant, of which generation, until when. */
export const issuedTokenSchema = z.object({
  authorizationId: z.string(),
  generation: z.number(),
  expiresAt: z.number(),
});
export type IssuedToken = z.infer<typeof issuedTokenSchema>;

export const pendingCodeSchema = z.object({
  clientId: z.string(),
  redirectUri: z.string(),
  challenge: z.string(),
  scopes: z.array(z.string()),
  expiresAt: z.number(),
});
export type PendingCode = z.infer<typeof pendingCodeSchema>;

/** A records listing in progress: its offsets (itr…/rec…) name it. */
export const listIteratorSchema = z.object({
  baseId: z.string(),
  tableId: z.string(),
  expired: z.boolean(),
  /** Records still allowed by the listing's maxRecords; null: no bound. */
  remaining: z.number().nullable(),
  /** The listing's filterByFormula; its offsets work only with the same one. */
  formula: z.string().nullable().default(null),
});
export type ListIterator = z.infer<typeof listIteratorSchema>;

/** What the sandbox hands out, each kept until it can no longer matter. */
export interface AirtableRecords {
  codes: SandboxRecords<PendingCode>;
  authorizations: SandboxRecords<Authorization>;
  accessTokens: SandboxRecords<IssuedToken>;
  refreshTokens: SandboxRecords<IssuedToken>;
  /** A refresh token's first use; a second use of the same token finds it taken. */
  rotations: SandboxRecords<true>;
  iterators: SandboxRecords<ListIterator>;
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
  records: AirtableRecords;
  faults: Record<FaultKind, InjectedFault[]>;
  counters: AirtableCounters;
}

/** Codes must be exchanged within ten minutes (kept twice that, so a late one reads expired). */
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

/** Codes are valid ten minutes; an iterator outlives any listing a client keeps going. */
export const ITERATOR_TTL_MS = 60 * 60 * 1000;

/** The token's grant while the token works: alive, of the current generation, not expired. */
export async function liveAuthorization(
  state: AirtableState,
  kind: "accessTokens" | "refreshTokens",
  token: string,
): Promise<Authorization | undefined> {
  const issued = token === "" ? undefined : await state.records[kind].get(token);
  if (issued === undefined || issued.expiresAt <= state.clock()) return undefined;
  const authorization = await state.records.authorizations.get(issued.authorizationId);
  return authorization !== undefined && !authorization.revoked &&
      authorization.generation === issued.generation
    ? authorization
    : undefined;
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
