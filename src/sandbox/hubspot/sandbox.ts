/**
 * The sandbox HubSpot: an emulation of HubSpot's OAuth and CRM list APIs that follows the
 * documented behaviour (shared/provider-facts.md). The hub mounts it at /sandbox/hubspot when
 * SANDBOX is on; tests serve it on a port of their own. The hub's client knows only its URLs.
 */
import { Hono } from "hono";
import { hubspotAuthorize } from "./authorize.tsx";
import { hubspotCrm } from "./crm.ts";
import { hubspotEditor } from "./editor.tsx";
import { type CrmData, DEFAULT_COUNTS, type SeedCounts, seedCrm } from "./data.ts";
import { apiError, checkFault, correlationId } from "./errors.ts";
import { rollingLimiter } from "./rate_limit.ts";
import { createMemoryStore } from "../../store/memory_store.ts";
import type { Store } from "../../store/store.ts";
import { SandboxRecords } from "../sandbox_store.ts";
import {
  accessTokenRecordSchema,
  EXPIRED_TOKEN_MEMORY_MS,
  type FaultKind,
  grantRecordSchema,
  type HubspotState,
  type InjectedFault,
  pendingCodeSchema,
  type SandboxCounters,
} from "./state.ts";
import { hubspotToken } from "./token.ts";
import { hubspotTokenInfo } from "./token_info.ts";

export interface HubspotSandboxOptions {
  clientId: string;
  clientSecret: string;
  /** Exact-match registered redirect URLs (kept by reference: later pushes register more). */
  redirectUris: string[];
  /** Scopes the app marks Required; default `oauth` and the three CRM read scopes. */
  requiredScopes?: string[];
  /** Seed of the generated records (default 1). */
  seed?: number;
  counts?: SeedCounts;
  /** Default 1800 (HubSpot's 30 minutes). */
  accessTokenTtlSeconds?: number;
  /** Per installed account; default HubSpot's documented OAuth limit, 100 per 10 s. */
  rateLimit?: { max: number; intervalMs: number };
  /** CRM search's own limit per account; default HubSpot's 5 a second. */
  searchRateLimit?: { max: number; intervalMs: number };
  /** Extra delay per API call, for benchmarks (default 0). */
  latencyMs?: number;
  /** Milliseconds since the epoch (default Date.now). */
  clock?: () => number;
  /** Keeps codes, grants and tokens; this process's memory unless given (the hub gives its own). */
  store?: Store;
}

export interface HubspotSandboxControl {
  readonly hubId: number;
  /** The seeded records, archived ones included (`archived: true`). */
  readonly data: CrmData;
  readonly counters: SandboxCounters;
  /** Makes every access token issued so far expired (one second ago). */
  expireAccessTokens(): Promise<void>;
  /** Revokes every refresh token (as an uninstall would); access tokens live until they expire. */
  revokeRefreshTokens(): Promise<void>;
  /** Answers the next `times` calls of a kind with this response, before any other check. */
  failNext(kind: FaultKind, response: InjectedFault, times?: number): void;
  setLatency(ms: number): void;
  /** Empties the rolling rate-limit window. */
  resetRateLimit(): void;
  /** Refresh tokens currently alive, for tests that look for leaks. */
  liveRefreshTokens(): Promise<string[]>;
  /** Access tokens issued so far. */
  issuedAccessTokens(): string[];
}

export const DEFAULT_REQUIRED_SCOPES = [
  "oauth",
  "crm.objects.contacts.read",
  "crm.objects.companies.read",
  "crm.objects.deals.read",
];

const HUB_ID = 62515;

function initialState(options: HubspotSandboxOptions): HubspotState {
  const clock = options.clock ?? Date.now;
  const store = options.store ?? createMemoryStore(clock);
  return {
    app: {
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      redirectUris: options.redirectUris,
      requiredScopes: options.requiredScopes ?? DEFAULT_REQUIRED_SCOPES,
      appId: 4_815_162,
    },
    account: {
      hubId: HUB_ID,
      hubDomain: `sandbox-portal-${HUB_ID}.hubspot.example`,
      user: "sandbox.user@example.com",
      userId: 7_654_321,
    },
    data: seedCrm(options.seed ?? 1, options.counts ?? DEFAULT_COUNTS),
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 1800,
    latencyMs: options.latencyMs ?? 0,
    clock,
    limiter: rollingLimiter(options.rateLimit ?? { max: 100, intervalMs: 10_000 }, clock),
    searchLimiter: rollingLimiter(options.searchRateLimit ?? { max: 5, intervalMs: 1_000 }, clock),
    codes: new SandboxRecords(store, "hubspot", "code", pendingCodeSchema),
    grants: new SandboxRecords(store, "hubspot", "grant", grantRecordSchema),
    accessTokens: new SandboxRecords(store, "hubspot", "access", accessTokenRecordSchema),
    faults: { token: [], crm: [] },
    counters: {
      crmCalls: 0,
      searchCalls: 0,
      tokenCalls: { authorization_code: 0, refresh_token: 0, other: 0 },
      rateLimited: 0,
    },
  };
}

function control(state: HubspotState): HubspotSandboxControl {
  return {
    hubId: state.account.hubId,
    data: state.data,
    counters: state.counters,
    expireAccessTokens: async () => {
      for (const [token, record] of await state.accessTokens.written()) {
        const expired = { ...record, expiresAt: state.clock() - 1000 };
        await state.accessTokens.set(token, expired, EXPIRED_TOKEN_MEMORY_MS);
      }
    },
    revokeRefreshTokens: async () => {
      for (const [token, grant] of await state.grants.written()) {
        await state.grants.set(token, { ...grant, revoked: true });
      }
    },
    failNext: (kind, response, times = 1) => {
      checkFault(response);
      for (let i = 0; i < times; i++) state.faults[kind].push(response);
    },
    setLatency: (ms) => {
      state.latencyMs = ms;
    },
    resetRateLimit: () => {
      state.limiter.reset();
      state.searchLimiter.reset();
    },
    liveRefreshTokens: async () =>
      (await state.grants.written()).filter(([, g]) => !g.revoked).map(([token]) => token),
    issuedAccessTokens: () => state.accessTokens.writtenIds(),
  };
}

export function createHubspotSandbox(
  options: HubspotSandboxOptions,
): { app: Hono; control: HubspotSandboxControl } {
  const state = initialState(options);
  const app = new Hono();
  app.route("/", hubspotAuthorize(state));
  app.route("/", hubspotToken(state));
  app.route("/", hubspotTokenInfo(state));
  app.route("/", hubspotCrm(state));
  app.route("/", hubspotEditor(state));
  const headers = () => ({ "X-HubSpot-Correlation-Id": correlationId() });
  app.notFound(() => apiError(404, "OBJECT_NOT_FOUND", "Resource not found", headers()));
  // Not expected: every handler answers bad input itself. Kept so nothing leaks a stack.
  app.onError(() => apiError(500, "INTERNAL_ERROR", "Internal error", headers()));
  return { app, control: control(state) };
}
