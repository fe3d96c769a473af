/**
 * The Notion sandbox's state: its app, data and faults, and its records of what it handed out
 * (codes, grants, tokens, cursors: the hub's store when mounted).
 */
import { z } from "zod";
import { type FaultQueues, type InjectedFault, pause } from "../emulator.ts";
import type {
  EmulatedOAuthServer,
  Grant as OAuthGrant,
  GrantRecord,
  OAuthCounters,
  OAuthPolicy,
  TokenState as OAuthTokenState,
} from "../oauth_server.ts";
import type { SandboxRecords } from "../sandbox_store.ts";
import type { NotionData } from "./data.ts";
import type { SandboxRateCount } from "../rate_count.ts";

export type { InjectedFault };

/** One authorization (Notion's "connection", identified by its bot: the grant's id). */
export interface Grant extends GrantRecord {
  botId: string;
}

/** Where a search cursor points, for which connection and which query. */
export const searchCursorSchema = z.object({
  botId: z.string(),
  signature: z.string(),
  offset: z.number(),
});
export type SearchCursor = z.infer<typeof searchCursorSchema>;

/** What the API hands out besides tokens. */
export interface NotionRecords {
  cursors: SandboxRecords<SearchCursor>;
  /** Position → cursor id, so a position keeps its cursor. */
  cursorIds: SandboxRecords<string>;
}

/** A search cursor outlives any listing a client keeps going. */
export const CURSOR_TTL_MS = 60 * 60 * 1000;
export interface NotionSandboxCounters extends OAuthCounters {
  apiCalls: number;
  searchCalls: number;
  rateLimited: number;
  /** API calls made with an access token that a refresh had replaced. */
  rotatedAccessTokenUses: number;
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
  /** Codes, grants and tokens (the hub's store when mounted). */
  oauth: EmulatedOAuthServer;
  records: NotionRecords;
  /** Requests per connection in the last second, counted in the sandbox's store. */
  rates: SandboxRateCount;
  faults: FaultQueues<"token" | "api">;
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

function randomSecret(prefix: string, bytes = 24): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return prefix + Array.from(raw, (b) => b.toString(36).padStart(2, "0")).join("").slice(0, 46);
}

/**
 * Notion's token rules: refresh tokens rotate (both tokens are replaced) unless the sandbox
 * answers the legacy shape, which has none; refresh tokens never expire.
 */
export function notionPolicy(
  issueRefreshTokens: boolean,
  accessTokenTtlSeconds: number | null,
): OAuthPolicy {
  return {
    provider: "notion",
    accessTokenTtlSeconds,
    refreshTokens: issueRefreshTokens ? "rotating" : "none",
    refreshTokenTtlSeconds: null,
    revokeOnRefreshReuse: false,
    accessTokensOutliveRevocation: false,
    mint: {
      code: () => randomSecret("", 18),
      accessToken: () => randomSecret("ntn_"),
      refreshToken: () => randomSecret("nrt_"),
    },
  };
}

/** The server's grant as Notion names it. */
function asNotionGrant(grant: OAuthGrant): Grant {
  const { id, ...record } = grant;
  return { ...record, botId: id };
}

export type TokenState = OAuthTokenState;

/** What a token is worth now, with its grant when the sandbox knows it. */
export async function tokenState(
  state: NotionState,
  kind: "accessTokens" | "refreshTokens",
  token: string,
): Promise<{ state: TokenState; grant?: Grant }> {
  const found = await state.oauth.tokenState(kind === "accessTokens" ? "access" : "refresh", token);
  return found.grant === undefined
    ? { state: found.state }
    : { state: found.state, grant: asNotionGrant(found.grant) };
}

/** The configured extra delay per call. */
export const sleep = (ms: number): Promise<void> => pause(ms);
