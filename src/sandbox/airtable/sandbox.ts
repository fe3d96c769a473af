/**
 * The sandbox Airtable: OAuth with PKCE and rotating refresh tokens, the meta and records APIs
 * with their paging, errors and the 5-requests-per-second-per-base limit. Mounted at
 * /sandbox/airtable when SANDBOX is on; tests serve it on a port of its own.
 */
import { Hono } from "hono";
import type { InjectedFault } from "../hubspot/state.ts";
import { type AirtableBase, seedAirtable, type SizeKnobs } from "./data.ts";
import { airtableApi } from "./api.ts";
import { airtableOAuth } from "./oauth.tsx";
import type { AirtableCounters, AirtableState } from "./state.ts";

export interface AirtableSandboxOptions {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  seed?: number;
  /** Size knobs for benchmarks; without them the hand-shaped default seed is used. */
  size?: SizeKnobs;
  accessTokenTtlSeconds?: number;
  rateLimit?: { perBasePerSecond: number; penaltyMs: number };
  basesPageSize?: number;
  latencyMs?: number;
  clock?: () => number;
}

export interface AirtableSandboxControl {
  readonly bases: AirtableBase[];
  readonly counters: AirtableCounters;
  expireAccessTokens(): void;
  /** The next use of any offset handed out so far answers 422 LIST_RECORDS_ITERATOR_NOT_AVAILABLE. */
  expireIterators(): void;
  failNext(kind: "token" | "api", response: InjectedFault, times?: number): void;
  setLatency(ms: number): void;
  liveRefreshTokens(): string[];
  issuedAccessTokens(): string[];
}

export function createAirtableSandbox(
  options: AirtableSandboxOptions,
): { app: Hono; control: AirtableSandboxControl } {
  const state: AirtableState = {
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    redirectUris: options.redirectUris,
    bases: seedAirtable(options.seed ?? 7, options.size ?? null),
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
    rateLimit: options.rateLimit ?? { perBasePerSecond: 5, penaltyMs: 30_000 },
    basesPageSize: options.basesPageSize ?? 1000,
    latencyMs: options.latencyMs ?? 0,
    clock: options.clock ?? Date.now,
    codes: new Map(),
    refreshTokens: new Map(),
    accessTokens: new Map(),
    baseCalls: new Map(),
    iterators: new Map(),
    faults: { token: [], api: [] },
    counters: {
      tokenCalls: 0,
      refreshes: 0,
      reusedRefreshTokens: 0,
      apiCalls: 0,
      rateLimited: 0,
      perBase: {},
    },
  };
  const app = new Hono();
  app.route("/", airtableOAuth(state));
  app.route("/", airtableApi(state));
  app.notFound((c) => c.json({ error: "NOT_FOUND" }, 404));
  app.onError((_e, c) => c.json({ error: { type: "SERVER_ERROR", message: "Server error" } }, 500));
  const control: AirtableSandboxControl = {
    bases: state.bases,
    counters: state.counters,
    expireAccessTokens: () => {
      for (const t of state.accessTokens.values()) t.expiresAt = state.clock() - 1000;
    },
    expireIterators: () => {
      for (const it of state.iterators.values()) it.expired = true;
    },
    failNext: (kind, response, times = 1) => {
      for (let i = 0; i < times; i++) state.faults[kind].push(response);
    },
    setLatency: (ms) => {
      state.latencyMs = ms;
    },
    liveRefreshTokens: () =>
      [...state.refreshTokens].filter(([, g]) => g.alive).map(([token]) => token),
    issuedAccessTokens: () => [...state.accessTokens.keys()],
  };
  return { app, control };
}
