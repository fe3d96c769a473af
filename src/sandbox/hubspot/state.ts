/**
 * The HubSpot sandbox's state and the few ways to touch it. What it hands out (codes, grants,
 * tokens) is in its records (the hub's store when mounted); the rest is rebuilt the same on
 * every start from the options and the seed.
 */
import { type FaultQueues, type InjectedFault, pause as pauseFor } from "../emulator.ts";
import type { EmulatedOAuthServer, OAuthCounters, OAuthPolicy } from "../oauth_server.ts";
import type { CrmData } from "./data.ts";
import type { RollingLimiter } from "./rate_limit.ts";

export type FaultKind = "token" | "crm";

/** The one public app this sandbox knows, as registered in its (emulated) developer account. */
export interface SandboxApp {
  clientId: string;
  clientSecret: string;
  /** Kept by reference: a caller may register its redirect URL after creating the sandbox. */
  redirectUris: string[];
  requiredScopes: string[];
  appId: number;
}

/** The one HubSpot account (portal) that installs the app. */
export interface SandboxAccount {
  hubId: number;
  hubDomain: string;
  user: string;
  userId: number;
}

/** An access token as the CRM API and token metadata see it; it outlives its grant's revocation. */
export interface AccessToken {
  token: string;
  scopes: string[];
  expiresAt: number;
}

export interface SandboxCounters extends OAuthCounters {
  /** Every CRM call, searches included. */
  crmCalls: number;
  searchCalls: number;
  /** 429 answers sent by the rolling limit (injected faults not included). */
  rateLimited: number;
}

export interface HubspotState {
  app: SandboxApp;
  account: SandboxAccount;
  data: CrmData;
  accessTokenTtlSeconds: number;
  latencyMs: number;
  clock: () => number;
  limiter: RollingLimiter;
  /** CRM search's own limit: five requests a second per account. */
  searchLimiter: RollingLimiter;
  /** Codes, grants and tokens (the hub's store when mounted). */
  oauth: EmulatedOAuthServer;
  faults: FaultQueues<FaultKind>;
  counters: SandboxCounters;
}

export type { InjectedFault };

/** Random hex with a prefix. */
function randomToken(prefix: string, bytes = 24): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return prefix + Array.from(raw, (b) => b.toString(16).padStart(2, "0")).join("");
}

function base64url(bytes: number): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** HubSpot refresh tokens look like `na1-xxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
function refreshTokenValue(): string {
  const hex = randomToken("", 16);
  const groups = [hex.slice(0, 4), hex.slice(4, 8), hex.slice(8, 12), hex.slice(12, 16)];
  return `na1-${groups.join("-")}-${hex.slice(16, 28)}`;
}

/**
 * HubSpot's token rules: the refresh token never rotates (the refresh grant answers the same
 * one), and an access token keeps working after its refresh token is deleted, until it expires.
 */
export function hubspotPolicy(accessTokenTtlSeconds: number): OAuthPolicy {
  return {
    provider: "hubspot",
    accessTokenTtlSeconds,
    refreshTokens: "fixed",
    refreshTokenTtlSeconds: null,
    revokeOnRefreshReuse: false,
    accessTokensOutliveRevocation: true,
    // Opaque, about 100 characters (HubSpot says to allow up to 300).
    mint: {
      code: () => crypto.randomUUID(),
      accessToken: () => `CN${base64url(72)}`,
      refreshToken: refreshTokenValue,
    },
  };
}

/** The access token as the API sees it (expired ones too, for a day, so they are named expired). */
export async function findAccessToken(
  state: HubspotState,
  token: string,
): Promise<AccessToken | undefined> {
  const found = await state.oauth.tokenState("access", token);
  if (found.grant === undefined || found.record?.expiresAt == null) return undefined;
  return { token, scopes: found.grant.scopes, expiresAt: found.record.expiresAt };
}

export function takeFault(state: HubspotState, kind: FaultKind): InjectedFault | undefined {
  return state.faults[kind].shift();
}

/** The configured extra delay per API call (for benchmarks). */
export function pause(state: HubspotState): Promise<void> {
  return pauseFor(state.latencyMs);
}
