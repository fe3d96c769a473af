/** The Airtable sandbox's in-memory state. */
import type { InjectedFault } from "../hubspot/state.ts";
import type { AirtableBase } from "./data.ts";

/** One authorization; rotation replaces it, killing its refresh and access tokens. */
export interface Grant {
  scope: string;
  alive: boolean;
}

export interface AirtableCounters {
  tokenCalls: number;
  refreshes: number;
  reusedRefreshTokens: number;
  apiCalls: number;
  rateLimited: number;
  /** Requests per base, and the most seen for a base within any one second. */
  perBase: Record<string, { requests: number; maxPerSecond: number }>;
}

export interface AirtableState {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  bases: AirtableBase[];
  accessTokenTtlSeconds: number;
  rateLimit: { perBasePerSecond: number; penaltyMs: number };
  basesPageSize: number;
  latencyMs: number;
  clock: () => number;
  codes: Map<string, { redirectUri: string; challenge: string; scope: string; expiresAt: number }>;
  refreshTokens: Map<string, Grant>;
  accessTokens: Map<string, { grant: Grant; expiresAt: number }>;
  /** Request times and penalty end per base. */
  baseCalls: Map<string, { times: number[]; blockedUntil: number }>;
  /** List offsets handed out; an expired one answers 422. */
  iterators: Map<string, { expired: boolean }>;
  faults: { token: InjectedFault[]; api: InjectedFault[] };
  counters: AirtableCounters;
}
