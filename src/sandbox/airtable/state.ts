/**
 * The Airtable sandbox's state. What it hands out (codes, grants, tokens, iterators) is in its
 * records (the hub's store when mounted); the rest is rebuilt the same on every start.
 */
import { z } from "zod";
import type { SandboxRecords } from "../sandbox_store.ts";
import type { FaultQueues, InjectedFault } from "../emulator.ts";
import {
  type EmulatedOAuthServer,
  type Grant,
  newOAuthCounters,
  type OAuthCounters,
} from "../oauth_server.ts";
import type { AirtableBase, AirtableUser } from "./data.ts";
import type { BaseRateLimiter } from "./rate_limit.ts";

export type { InjectedFault };
export { pause } from "../emulator.ts";

export type FaultKind = "token" | "api";

/** One user's grant to the integration (a rotation kills the previous refresh AND access token). */
export type Authorization = Grant;

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

/** What the API hands out besides tokens, kept until it can no longer matter. */
export interface AirtableRecords {
  iterators: SandboxRecords<ListIterator>;
}

export interface BaseCounters {
  requests: number;
  /** The most requests that reached this base within any one second. */
  maxPerSecond: number;
  rateLimited: number;
}

export interface AirtableCounters extends OAuthCounters {
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
  latencyMs: number;
  clock: () => number;
  limiter: BaseRateLimiter;
  /** Codes, grants and tokens (the hub's store when mounted). */
  oauth: EmulatedOAuthServer;
  records: AirtableRecords;
  faults: FaultQueues<FaultKind>;
  counters: AirtableCounters;
}

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
  return await state.oauth.liveGrant(kind === "accessTokens" ? "access" : "refresh", token);
}

export function newCounters(): AirtableCounters {
  return {
    ...newOAuthCounters(),
    apiCalls: 0,
    rateLimited: 0,
    expiredIterators: 0,
    perBase: {},
  };
}
