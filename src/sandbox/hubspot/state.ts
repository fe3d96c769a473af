/**
 * The HubSpot sandbox's state and the few ways to touch it. What it hands out (codes, grants,
 * tokens) is in its records (the hub's store when mounted); the rest is rebuilt the same on
 * every start from the options and the seed.
 */
import { z } from "zod";
import type { SandboxRecords } from "../sandbox_store.ts";
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

const scopesSchema = z.array(z.string());

/** One installation, stored under its refresh token. */
export const grantRecordSchema = z.object({
  clientId: z.string(),
  scopes: scopesSchema,
  revoked: z.boolean(),
});
export type GrantRecord = z.infer<typeof grantRecordSchema>;

export interface Grant extends GrantRecord {
  refreshToken: string;
}

/** An access token outlives its grant's revocation (HubSpot's documented behaviour). */
export const accessTokenRecordSchema = z.object({ scopes: scopesSchema, expiresAt: z.number() });
export type AccessTokenRecord = z.infer<typeof accessTokenRecordSchema>;

export interface AccessToken extends AccessTokenRecord {
  token: string;
}

export const pendingCodeSchema = z.object({
  clientId: z.string(),
  redirectUri: z.string(),
  scopes: scopesSchema,
  expiresAt: z.number(),
});
export type PendingCode = z.infer<typeof pendingCodeSchema>;

export interface SandboxCounters {
  /** Every CRM call, searches included. */
  crmCalls: number;
  searchCalls: number;
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
  /** CRM search's own limit: five requests a second per account. */
  searchLimiter: RollingLimiter;
  codes: SandboxRecords<PendingCode>;
  /** By refresh token. */
  grants: SandboxRecords<GrantRecord>;
  accessTokens: SandboxRecords<AccessTokenRecord>;
  faults: Record<FaultKind, InjectedFault[]>;
  counters: SandboxCounters;
}

/** Codes must be exchanged within ten minutes (kept twice that, so a late one reads expired). */
export const CODE_TTL_MS = 10 * 60 * 1000;

/** An expired access token is still recognised (and named expired) for a day. */
export const EXPIRED_TOKEN_MEMORY_MS = 24 * 60 * 60 * 1000;

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

export async function issueCode(
  state: HubspotState,
  code: Omit<PendingCode, "expiresAt">,
): Promise<string> {
  const value = crypto.randomUUID();
  await state.codes.set(
    value,
    { ...code, expiresAt: state.clock() + CODE_TTL_MS },
    2 * CODE_TTL_MS,
  );
  return value;
}

/** A code can be presented once: it is gone after the first attempt, successful or not. */
export async function takeCode(
  state: HubspotState,
  code: string,
): Promise<PendingCode | undefined> {
  return code === "" ? undefined : await state.codes.take(code);
}

export async function createGrant(
  state: HubspotState,
  clientId: string,
  scopes: string[],
): Promise<Grant> {
  const grant: Grant = { refreshToken: refreshTokenValue(), clientId, scopes, revoked: false };
  await state.grants.set(grant.refreshToken, { clientId, scopes, revoked: false });
  return grant;
}

export async function liveGrant(
  state: HubspotState,
  refreshToken: string,
): Promise<Grant | undefined> {
  if (refreshToken === "") return undefined;
  const grant = await state.grants.get(refreshToken);
  return grant && !grant.revoked ? { ...grant, refreshToken } : undefined;
}

export async function revokeGrant(state: HubspotState, grant: Grant): Promise<void> {
  const { refreshToken: _, ...record } = grant;
  await state.grants.set(grant.refreshToken, { ...record, revoked: true });
}

/** Opaque, about 100 characters (HubSpot says to allow up to 300). */
export async function issueAccessToken(state: HubspotState, grant: Grant): Promise<AccessToken> {
  const token = `CN${base64url(72)}`;
  const ttlMs = state.accessTokenTtlSeconds * 1000;
  const record = { scopes: grant.scopes, expiresAt: state.clock() + ttlMs };
  await state.accessTokens.set(token, record, ttlMs + EXPIRED_TOKEN_MEMORY_MS);
  return { token, ...record };
}

export async function findAccessToken(
  state: HubspotState,
  token: string,
): Promise<AccessToken | undefined> {
  const record = await state.accessTokens.get(token);
  return record && { token, ...record };
}

export function takeFault(state: HubspotState, kind: FaultKind): InjectedFault | undefined {
  return state.faults[kind].shift();
}

/** The configured extra delay per API call (for benchmarks). */
export async function pause(state: HubspotState): Promise<void> {
  if (state.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, state.latencyMs));
}
