/**
 * The sandbox Airtable: OAuth with mandatory PKCE, HTTP Basic client auth and rotating refresh
 * tokens; the meta and records APIs with their paging, error bodies and the 5-requests-per-
 * second-per-base limit; filterByFormula on LAST_MODIFIED_TIME() and an edit page (/edit) for
 * the change feeds. Mounted at /sandbox/airtable when SANDBOX is on; tests serve it on a
 * port of its own.
 */
import { Hono } from "hono";
import { airtableApi } from "./api.ts";
import { airtableAuthorize } from "./authorize.tsx";
import { airtableEditor } from "./editor.tsx";
import type { AirtableBase, AirtableUser } from "./data.ts";
import { jsonResponse, routeNotFound } from "./errors.ts";
import { BaseRateLimiter, type BaseRateRule } from "./rate_limit.ts";
import { seedAirtable, type SizeKnobs } from "./seed.ts";
import { createMemoryStore } from "../../store/memory_store.ts";
import type { Store } from "../../store/store.ts";
import { queueFault } from "../emulator.ts";
import { EmulatedOAuthServer } from "../oauth_server.ts";
import { SandboxRecords } from "../sandbox_store.ts";
import {
  type AirtableCounters,
  type AirtableState,
  type FaultKind,
  type InjectedFault,
  ITERATOR_TTL_MS,
  listIteratorSchema,
  newCounters,
} from "./state.ts";
import { airtableToken } from "./token.ts";
import { airtablePolicy, REFRESH_TTL_SECONDS } from "./tokens.ts";

export type { InjectedFault } from "./state.ts";

export interface AirtableSandboxOptions {
  clientId: string;
  /** "" makes an integration without a secret (Basic then forbidden, client_id in the body). */
  clientSecret: string;
  /** Exact-match registered redirect URIs, kept by reference. */
  redirectUris: string[];
  /** Reshuffles ids; the shape stays the hand-shaped default unless a size knob is given. */
  seed?: number;
  /** Size knobs for benchmarks: any of them switches to a generated account. */
  bases?: number;
  tablesPerBase?: number;
  recordsPerTable?: number;
  /** @deprecated The same knobs grouped; use the flat ones. */
  size?: SizeKnobs;
  /** Default 3600. */
  accessTokenTtlSeconds?: number;
  /** Default 5 per base per second and a 30-second penalty. */
  rateLimit?: BaseRateRule;
  /** Bases per page of GET /v0/meta/bases; default 1000, as documented. */
  basesPageSize?: number;
  /** Revoke the whole grant when a rotated refresh token comes back (Airtable may). Default false. */
  revokeOnRefreshReuse?: boolean;
  latencyMs?: number;
  clock?: () => number;
  /** Keeps codes, grants, tokens and iterators; this process's memory unless given. */
  store?: Store;
}

export interface AirtableSandboxControl {
  /** The seeded account, in listing order (compare listings with it). */
  readonly bases: AirtableBase[];
  readonly user: AirtableUser;
  readonly counters: AirtableCounters;
  /** Every access token issued so far answers 401 from now on. */
  expireAccessTokens(): Promise<void>;
  /** The next use of any records offset handed out so far answers 422 LIST_RECORDS_ITERATOR_NOT_AVAILABLE. */
  expireIterators(): Promise<void>;
  /** Answers the next `times` requests of a kind (token endpoint, or /v0 API) with this fault. */
  failNext(kind: FaultKind, fault: InjectedFault, times?: number): void;
  setLatency(ms: number): void;
  /** Revokes every grant, as a user removing the integration would. */
  revokeAll(): Promise<void>;
  /** Forgets per-base request times and penalties (counters are kept). */
  resetRateLimits(): void;
  liveRefreshTokens(): Promise<string[]>;
  issuedAccessTokens(): string[];
}

export const DEFAULT_SEED = 7;

export function createAirtableSandbox(
  options: AirtableSandboxOptions,
): { app: Hono; control: AirtableSandboxControl } {
  const clock = options.clock ?? Date.now;
  const counters = newCounters();
  const knobs = sizeKnobs(options);
  const store = options.store ?? createMemoryStore(clock);
  const accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? 3600;
  const policy = airtablePolicy(accessTokenTtlSeconds, options.revokeOnRefreshReuse ?? false);
  const state: AirtableState = {
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    redirectUris: options.redirectUris,
    bases: seedAirtable(options.seed ?? DEFAULT_SEED, knobs),
    user: { id: "usrSandboxUser0001", email: "sandbox.user@example.com" },
    accessTokenTtlSeconds,
    refreshTokenTtlSeconds: REFRESH_TTL_SECONDS,
    basesPageSize: Math.max(1, options.basesPageSize ?? 1000),
    latencyMs: options.latencyMs ?? 0,
    clock,
    limiter: new BaseRateLimiter(
      options.rateLimit ?? { perBasePerSecond: 5, penaltyMs: 30_000 },
      clock,
      counters,
      store,
    ),
    oauth: new EmulatedOAuthServer(store, policy, clock, counters),
    records: { iterators: new SandboxRecords(store, "airtable", "iterator", listIteratorSchema) },
    faults: { token: [], api: [] },
    counters,
  };
  const app = new Hono();
  app.route("/", airtableAuthorize(state));
  app.route("/", airtableToken(state));
  app.route("/", airtableApi(state));
  app.route("/", airtableEditor(state));
  app.notFound(() => routeNotFound());
  // Only a bug gets here: bad input is always answered with Airtable's own 4xx.
  app.onError(() =>
    jsonResponse({ error: { type: "SERVER_ERROR", message: "Server error" } }, 500)
  );
  return { app, control: controlOf(state) };
}

function sizeKnobs(options: AirtableSandboxOptions): SizeKnobs | null {
  const flat: SizeKnobs = {};
  if (options.bases !== undefined) flat.bases = options.bases;
  if (options.tablesPerBase !== undefined) flat.tablesPerBase = options.tablesPerBase;
  if (options.recordsPerTable !== undefined) flat.recordsPerTable = options.recordsPerTable;
  const knobs = { ...options.size, ...flat };
  return Object.keys(knobs).length === 0 ? null : knobs;
}

function controlOf(state: AirtableState): AirtableSandboxControl {
  const { records, oauth } = state;
  return {
    bases: state.bases,
    user: state.user,
    counters: state.counters,
    expireAccessTokens: () => oauth.expireAccessTokens(),
    expireIterators: async () => {
      for (const [id, iterator] of await records.iterators.written()) {
        await records.iterators.set(id, { ...iterator, expired: true }, ITERATOR_TTL_MS);
      }
    },
    failNext: (kind, fault, times = 1) => queueFault(state.faults, kind, fault, times),
    setLatency: (ms) => {
      state.latencyMs = ms;
    },
    revokeAll: () => oauth.revokeAll(),
    resetRateLimits: () => state.limiter.reset(),
    liveRefreshTokens: () => oauth.liveRefreshTokens(),
    issuedAccessTokens: () => oauth.issuedAccessTokens(),
  };
}
