/** The HubSpot sandbox's in-memory state (one per sandbox, per process) and the few ways to touch it. */
import type { CrmData } from "./data.ts";
import type { RollingLimiter } from "./rate_limit.ts";

/** A canned answer a test puts in front of the next call of a kind. */
export interface InjectedFault {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

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

/** One installation: the refresh token and the scopes granted with it. */
export interface Grant {
  refreshToken: string;
  clientId: string;
  scopes: string[];
  revoked: boolean;
}

export interface AccessToken {
  token: string;
  grant: Grant;
  expiresAt: number;
}

export interface PendingCode {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  expiresAt: number;
}

export interface SandboxCounters {
  crmCalls: number;
  tokenCalls: { authorization_code: number; refresh_token: number; other: number };
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
  codes: Map<string, PendingCode>;
  grants: Map<string, Grant>;
  accessTokens: Map<string, AccessToken>;
  faults: Record<FaultKind, InjectedFault[]>;
  counters: SandboxCounters;
}

/** Authorization codes must be exchanged within ten minutes. */
export const CODE_TTL_MS = 10 * 60 * 1000;

/** Random hex with a prefix. */
export function randomToken(prefix: string, bytes = 24): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return prefix + Array.from(raw, (b) => b.toString(16).padStart(2, "0")).join("");
}

function base64url(bytes: number): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** HubSpot refresh tokens look like `na1-xxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
export function refreshTokenValue(): string {
  const hex = randomToken("", 16);
  const groups = [hex.slice(0, 4), hex.slice(4, 8), hex.slice(8, 12), hex.slice(12, 16)];
  return `na1-${groups.join("-")}-${hex.slice(16, 28)}`;
}

export function issueCode(state: HubspotState, code: Omit<PendingCode, "expiresAt">): string {
  const value = crypto.randomUUID();
  state.codes.set(value, { ...code, expiresAt: state.clock() + CODE_TTL_MS });
  return value;
}

/** A code can be presented once: it is gone after the first attempt, successful or not. */
export function takeCode(state: HubspotState, code: string): PendingCode | undefined {
  const pending = state.codes.get(code);
  state.codes.delete(code);
  return pending;
}

export function createGrant(state: HubspotState, clientId: string, scopes: string[]): Grant {
  const grant: Grant = { refreshToken: refreshTokenValue(), clientId, scopes, revoked: false };
  state.grants.set(grant.refreshToken, grant);
  return grant;
}

export function liveGrant(state: HubspotState, refreshToken: string): Grant | undefined {
  const grant = state.grants.get(refreshToken);
  return grant && !grant.revoked ? grant : undefined;
}

/** Opaque, about 100 characters (HubSpot says to allow up to 300). */
export function issueAccessToken(state: HubspotState, grant: Grant): AccessToken {
  const token: AccessToken = {
    token: `CN${base64url(72)}`,
    grant,
    expiresAt: state.clock() + state.accessTokenTtlSeconds * 1000,
  };
  state.accessTokens.set(token.token, token);
  return token;
}

export function findAccessToken(state: HubspotState, token: string): AccessToken | undefined {
  return state.accessTokens.get(token);
}

export function takeFault(state: HubspotState, kind: FaultKind): InjectedFault | undefined {
  return state.faults[kind].shift();
}

/** The configured extra delay per API call (for benchmarks). */
export async function pause(state: HubspotState): Promise<void> {
  if (state.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, state.latencyMs));
}
