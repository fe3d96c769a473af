/**
 * The Notion sandbox's state: its app, data and faults, and its records of what it handed out
 * (codes, grants, tokens, cursors: the hub's store when mounted).
 */
import { z } from "zod";
import type { SandboxRecords } from "../sandbox_store.ts";
import type { NotionData } from "./data.ts";
import type { SandboxRateCount } from "../rate_count.ts";

/**
 * One authorization (Notion's "connection", identified by its bot). Each refresh bumps
 * `generation`: tokens of an earlier generation were rotated away.
 */
export const grantRecordSchema = z.object({
  generation: z.number(),
  revoked: z.boolean(),
  issuedAt: z.number(),
});
export type GrantRecord = z.infer<typeof grantRecordSchema>;

export interface Grant extends GrantRecord {
  botId: string;
}

/** An access or refresh token: of which connection and generation. */
export const tokenRecordSchema = z.object({
  botId: z.string(),
  generation: z.number(),
  /** Epoch ms; null never expires (refresh tokens, legacy access tokens). */
  expiresAt: z.number().nullable(),
});
export type TokenRecord = z.infer<typeof tokenRecordSchema>;

export const pendingCodeSchema = z.object({
  clientId: z.string(),
  /** The redirect_uri given in the authorization URL, or null when it was left out. */
  redirectUri: z.string().nullable(),
  expiresAt: z.number(),
});
export type PendingCode = z.infer<typeof pendingCodeSchema>;

/** Where a search cursor points, for which connection and which query. */
export const searchCursorSchema = z.object({
  botId: z.string(),
  signature: z.string(),
  offset: z.number(),
});
export type SearchCursor = z.infer<typeof searchCursorSchema>;

export interface NotionRecords {
  codes: SandboxRecords<PendingCode>;
  /** By bot id. */
  grants: SandboxRecords<GrantRecord>;
  accessTokens: SandboxRecords<TokenRecord>;
  refreshTokens: SandboxRecords<TokenRecord>;
  /** A refresh token's first use; a second use of the same token finds it taken. */
  rotations: SandboxRecords<true>;
  cursors: SandboxRecords<SearchCursor>;
  /** Position → cursor id, so a position keeps its cursor. */
  cursorIds: SandboxRecords<string>;
}

/** A search cursor outlives any listing a client keeps going. */
export const CURSOR_TTL_MS = 60 * 60 * 1000;
/** An expired access token is still recognised for a day. */
export const EXPIRED_TOKEN_MEMORY_MS = 24 * 60 * 60 * 1000;
/** How long a used refresh token is remembered as used. */
export const ROTATION_MEMORY_MS = 90 * 24 * 60 * 60 * 1000;

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
  records: NotionRecords;
  /** Requests per connection in the last second, counted in the sandbox's store. */
  rates: SandboxRateCount;
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

/** Saves the grant and issues an access token (and a refresh token) of its generation. */
export async function issueTokens(
  state: NotionState,
  grant: Grant,
): Promise<{ accessToken: string; refreshToken: string | null }> {
  const { botId, ...record } = grant;
  const { records } = state;
  await records.grants.set(botId, record);
  const accessToken = randomSecret("ntn_");
  const ttlMs = state.accessTokenTtlSeconds === null ? null : state.accessTokenTtlSeconds * 1000;
  const access = {
    botId,
    generation: grant.generation,
    expiresAt: ttlMs === null ? null : state.clock() + ttlMs,
  };
  await records.accessTokens.set(
    accessToken,
    access,
    ttlMs === null ? undefined : ttlMs + EXPIRED_TOKEN_MEMORY_MS,
  );
  if (!state.issueRefreshTokens) return { accessToken, refreshToken: null };
  const refreshToken = randomSecret("nrt_");
  await records.refreshTokens.set(refreshToken, {
    botId,
    generation: grant.generation,
    expiresAt: null,
  });
  return { accessToken, refreshToken };
}

export async function revokeGrant(state: NotionState, grant: Grant): Promise<void> {
  const { botId, ...record } = grant;
  await state.records.grants.set(botId, { ...record, revoked: true });
}

export type TokenState = "unknown" | "revoked" | "rotated" | "expired" | "live";

/** What a token is worth now, with its grant when the sandbox knows it. */
export async function tokenState(
  state: NotionState,
  kind: "accessTokens" | "refreshTokens",
  token: string,
): Promise<{ state: TokenState; grant?: Grant }> {
  const record = token === "" ? undefined : await state.records[kind].get(token);
  const found = record && await state.records.grants.get(record.botId);
  if (record === undefined || found === undefined) return { state: "unknown" };
  const grant = { ...found, botId: record.botId };
  if (grant.revoked) return { state: "revoked", grant };
  if (record.generation !== grant.generation) return { state: "rotated", grant };
  if (record.expiresAt !== null && record.expiresAt <= state.clock()) {
    return { state: "expired", grant };
  }
  return { state: "live", grant };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
