/** The HubSpot sandbox's in-memory state: its app, grants, tokens, limits and injected faults. */
import type { CrmData } from "./data.ts";

export interface Grant {
  refreshToken: string;
  scopes: string[];
  revoked: boolean;
}

export interface AccessToken {
  grant: Grant;
  expiresAt: number;
}

export interface PendingCode {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  expiresAt: number;
}

export interface InjectedFault {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface SandboxCounters {
  crmCalls: number;
  tokenCalls: { authorization_code: number; refresh_token: number; other: number };
  rateLimited: number;
}

export interface HubspotState {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  requiredScopes: string[];
  hubId: number;
  data: CrmData;
  accessTokenTtlSeconds: number;
  rateLimit: { max: number; intervalMs: number };
  latencyMs: number;
  clock: () => number;
  codes: Map<string, PendingCode>;
  grants: Map<string, Grant>;
  accessTokens: Map<string, AccessToken>;
  /** Call times per grant, for the ten-secondly rolling limit. */
  calls: Map<Grant, number[]>;
  faults: { token: InjectedFault[]; crm: InjectedFault[] };
  counters: SandboxCounters;
}

/** Scopes this sandbox app knows (HubSpot refuses unknown scopes at install time). */
export const KNOWN_SCOPES = [
  "oauth",
  "crm.objects.contacts.read",
  "crm.objects.companies.read",
  "crm.objects.deals.read",
  "crm.objects.contacts.write",
  "crm.schemas.contacts.read",
];

export function randomToken(prefix: string, bytes = 24): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return prefix + Array.from(raw, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** HubSpot refresh tokens look like `na1-xxxx-xxxx-...`. */
export function refreshTokenValue(): string {
  const hex = randomToken("", 16);
  return `na1-${hex.slice(0, 4)}-${hex.slice(4, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${
    hex.slice(16)
  }`;
}

export function issueAccessToken(state: HubspotState, grant: Grant): string {
  const token = randomToken("CNTb", 48);
  state.accessTokens.set(token, {
    grant,
    expiresAt: state.clock() + state.accessTokenTtlSeconds * 1000,
  });
  return token;
}

export function correlationId(): string {
  return crypto.randomUUID();
}
