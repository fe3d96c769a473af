/** The Notion sandbox's in-memory state: its app, grants, tokens, cursors and faults. */
import type { NotionData } from "./data.ts";

/** One authorization (Notion's "connection", identified by its bot). */
export interface Grant {
  botId: string;
  /** The one live refresh token; null for legacy grants that never had one. */
  refreshToken: string | null;
  revoked: boolean;
  issuedAt: number;
}

export interface AccessTokenRecord {
  grant: Grant;
  /** Epoch ms; null never expires (legacy tokens). */
  expiresAt: number | null;
  /** Replaced by a refresh: dead, and counted when used. */
  rotated: boolean;
}

export interface PendingCode {
  clientId: string;
  /** The redirect_uri given in the authorization URL, or null when it was left out. */
  redirectUri: string | null;
  expiresAt: number;
}

/** Where a search cursor points, for which connection and which query. */
export interface SearchCursor {
  botId: string;
  signature: string;
  offset: number;
}

export interface InjectedFault {
  status: number;
  /** Defaults to Notion's error envelope for the status. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface NotionSandboxCounters {
  apiCalls: number;
  searchCalls: number;
  rateLimited: number;
  tokenCalls: { authorization_code: number; refresh_token: number; other: number };
  refreshes: number;
  /** API calls made with an access token that a refresh had replaced. */
  rotatedAccessTokenUses: number;
  /** Refresh requests with a refresh token that was already used. */
  usedRefreshTokenUses: number;
  revocations: number;
}

export interface NotionState {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  data: NotionData;
  issueRefreshTokens: boolean;
  accessTokenTtlSeconds: number | null;
  rateLimit: { requestsPerSecond: number; retryAfterSeconds: number };
  latencyMs: number;
  clock: () => number;
  codes: Map<string, PendingCode>;
  /** Live refresh token → grant. */
  refreshTokens: Map<string, Grant>;
  /** Refresh tokens already used (rotated away); reuse is counted. */
  usedRefreshTokens: Set<string>;
  accessTokens: Map<string, AccessTokenRecord>;
  cursors: Map<string, SearchCursor>;
  /** Position key → cursor id, so a position keeps its cursor. */
  cursorIds: Map<string, string>;
  /** Requests in the current second, per connection. */
  windows: Map<string, { second: number; count: number }>;
  faults: { token: InjectedFault[]; api: InjectedFault[] };
  counters: NotionSandboxCounters;
}

/** Versions Notion has published up to the data-source change; this sandbox speaks these. */
export const SUPPORTED_VERSIONS = [
  "2021-05-11",
  "2021-05-13",
  "2021-08-16",
  "2022-02-22",
  "2022-06-28",
];

export function randomSecret(prefix: string, bytes = 24): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return prefix + Array.from(raw, (b) => b.toString(36).padStart(2, "0")).join("").slice(0, 46);
}

export function issueAccessToken(state: NotionState, grant: Grant): string {
  const token = randomSecret("ntn_");
  const ttl = state.accessTokenTtlSeconds;
  state.accessTokens.set(token, {
    grant,
    expiresAt: ttl === null ? null : state.clock() + ttl * 1000,
    rotated: false,
  });
  return token;
}

/** Why an access token does not work, or null when it does. */
export function deadReason(
  state: NotionState,
  record: AccessTokenRecord | undefined,
): "unknown" | "revoked" | "rotated" | "expired" | null {
  if (record === undefined) return "unknown";
  if (record.grant.revoked) return "revoked";
  if (record.rotated) return "rotated";
  if (record.expiresAt !== null && record.expiresAt <= state.clock()) return "expired";
  return null;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
