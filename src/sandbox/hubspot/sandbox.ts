/**
 * The sandbox HubSpot: a faithful emulation of HubSpot's OAuth and CRM list APIs, mounted at
 * /sandbox/hubspot when SANDBOX is on and served on their own port by tests. The hub's real
 * client knows nothing of it but its URLs.
 */
import { Hono } from "hono";
import { type CrmData, DEFAULT_COUNTS, type SeedCounts, seedCrm } from "./data.ts";
import { hubspotCrm } from "./crm.ts";
import { hubspotOAuth } from "./oauth.tsx";
import type { HubspotState, InjectedFault, SandboxCounters } from "./state.ts";

export interface HubspotSandboxOptions {
  clientId: string;
  clientSecret: string;
  /** Exact-match registered redirect URLs. */
  redirectUris: string[];
  requiredScopes?: string[];
  seed?: number;
  counts?: SeedCounts;
  accessTokenTtlSeconds?: number;
  /** Per installed account; HubSpot's documented OAuth limit is 100 per 10 s. */
  rateLimit?: { max: number; intervalMs: number };
  latencyMs?: number;
  clock?: () => number;
}

export interface HubspotSandboxControl {
  readonly hubId: number;
  readonly data: CrmData;
  readonly counters: SandboxCounters;
  /** Makes every access token issued so far expired. */
  expireAccessTokens(): void;
  /** Revokes every grant (as an uninstall would). */
  revokeRefreshTokens(): void;
  /** Answers the next `times` calls of a kind with this response instead. */
  failNext(kind: "token" | "crm", response: InjectedFault, times?: number): void;
  setLatency(ms: number): void;
  /** Refresh tokens currently alive, for tests that look for leaks. */
  liveRefreshTokens(): string[];
  /** Access tokens issued so far. */
  issuedAccessTokens(): string[];
}

export const DEFAULT_REQUIRED_SCOPES = [
  "oauth",
  "crm.objects.contacts.read",
  "crm.objects.companies.read",
  "crm.objects.deals.read",
];

export function createHubspotSandbox(
  options: HubspotSandboxOptions,
): { app: Hono; control: HubspotSandboxControl } {
  const state: HubspotState = {
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    redirectUris: options.redirectUris,
    requiredScopes: options.requiredScopes ?? DEFAULT_REQUIRED_SCOPES,
    hubId: 62515,
    data: seedCrm(options.seed ?? 1, options.counts ?? DEFAULT_COUNTS),
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 1800,
    rateLimit: options.rateLimit ?? { max: 100, intervalMs: 10_000 },
    latencyMs: options.latencyMs ?? 0,
    clock: options.clock ?? Date.now,
    codes: new Map(),
    grants: new Map(),
    accessTokens: new Map(),
    calls: new Map(),
    faults: { token: [], crm: [] },
    counters: {
      crmCalls: 0,
      tokenCalls: { authorization_code: 0, refresh_token: 0, other: 0 },
      rateLimited: 0,
    },
  };
  const app = new Hono();
  app.route("/", hubspotOAuth(state));
  app.route("/", hubspotCrm(state));
  app.notFound((c) =>
    c.json({ status: "error", message: "Resource not found", category: "OBJECT_NOT_FOUND" }, 404)
  );
  app.onError((_error, c) =>
    c.json({ status: "error", message: "Internal error", category: "INTERNAL_ERROR" }, 500)
  );

  const control: HubspotSandboxControl = {
    hubId: state.hubId,
    data: state.data,
    counters: state.counters,
    expireAccessTokens: () => {
      for (const token of state.accessTokens.values()) token.expiresAt = state.clock() - 1000;
    },
    revokeRefreshTokens: () => {
      for (const grant of state.grants.values()) grant.revoked = true;
    },
    failNext: (kind, response, times = 1) => {
      for (let i = 0; i < times; i++) state.faults[kind].push(response);
    },
    setLatency: (ms) => {
      state.latencyMs = ms;
    },
    liveRefreshTokens: () =>
      [...state.grants.values()].filter((g) => !g.revoked).map((g) => g.refreshToken),
    issuedAccessTokens: () => [...state.accessTokens.keys()],
  };
  return { app, control };
}
