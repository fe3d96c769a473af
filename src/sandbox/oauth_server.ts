/**
 * The one emulated OAuth server behind every sandbox: one-time codes, grants, access and refresh
 * tokens (issued, rotated, revoked, expired) and the counters tests read. What differs between
 * providers is data (`OAuthPolicy`); each sandbox keeps its own endpoints and error bodies and
 * asks this server what a code or token is worth. Everything it hands out is kept in the store it
 * is given (the hub's when mounted), so a restart or another process finds it.
 */
import { z } from "zod";
import type { Store } from "../store/store.ts";
import { SandboxRecords } from "./sandbox_store.ts";

/** A provider's token rules, as data. */
export interface OAuthPolicy {
  /** Names the store keys (`sandbox:{provider}:...`). */
  provider: string;
  /** Null: access tokens never expire (Notion's legacy grants). */
  accessTokenTtlSeconds: number | null;
  /**
   * `fixed`: the refresh grant answers with the same refresh token (HubSpot); `rotating`: each
   * refresh replaces both tokens and kills the previous pair; `none`: no refresh tokens at all.
   */
  refreshTokens: "fixed" | "rotating" | "none";
  /** Null: refresh tokens live as long as their grant. */
  refreshTokenTtlSeconds: number | null;
  /** Revoke the whole grant when a rotated refresh token comes back. */
  revokeOnRefreshReuse: boolean;
  /** An access token keeps working after its grant is revoked, until it expires (HubSpot). */
  accessTokensOutliveRevocation: boolean;
  /** The shapes of what the server hands out. */
  mint: { code(): string; accessToken(): string; refreshToken(): string };
}

/** The counters every sandbox's token endpoint keeps (tests and benchmarks read them). */
export interface OAuthCounters {
  tokenCalls: { authorization_code: number; refresh_token: number; other: number };
  codeExchanges: number;
  refreshes: number;
  /** Refresh requests with a refresh token that was already used (rotated away). */
  reusedRefreshTokens: number;
  revocations: number;
}

export function newOAuthCounters(): OAuthCounters {
  return {
    tokenCalls: { authorization_code: 0, refresh_token: 0, other: 0 },
    codeExchanges: 0,
    refreshes: 0,
    reusedRefreshTokens: 0,
    revocations: 0,
  };
}

/** Counts one token request by its grant type. */
export function countTokenCall(counters: OAuthCounters, grantType: unknown): void {
  const kind = grantType === "authorization_code" || grantType === "refresh_token"
    ? grantType
    : "other";
  counters.tokenCalls[kind]++;
}

const pendingCodeSchema = z.object({
  clientId: z.string(),
  /** The redirect_uri of the authorization request; null when it was left out (Notion). */
  redirectUri: z.string().nullable(),
  scopes: z.array(z.string()),
  /** The PKCE S256 challenge, when the provider takes one. */
  challenge: z.string().nullable(),
  expiresAt: z.number(),
});
export type PendingCode = z.infer<typeof pendingCodeSchema>;

/** One user's grant to the app. Each rotation bumps `generation`: older tokens stop working. */
const grantRecordSchema = z.object({
  clientId: z.string(),
  scopes: z.array(z.string()),
  generation: z.number(),
  revoked: z.boolean(),
  issuedAt: z.number(),
});
export type GrantRecord = z.infer<typeof grantRecordSchema>;

export interface Grant extends GrantRecord {
  id: string;
}

/** An access or refresh token: of which grant and generation, until when (null: no expiry). */
const tokenRecordSchema = z.object({
  grantId: z.string(),
  generation: z.number(),
  expiresAt: z.number().nullable(),
});
export type TokenRecord = z.infer<typeof tokenRecordSchema>;

export type TokenKind = "access" | "refresh";
export type TokenState = "unknown" | "revoked" | "rotated" | "expired" | "live";

/** What a code exchange or refresh hands out. */
export interface IssuedTokens {
  grant: Grant;
  accessToken: string;
  /** Null when the policy issues no refresh tokens. */
  refreshToken: string | null;
  accessExpiresAt: number | null;
}

/** Codes must be exchanged within ten minutes (kept twice that, so a late one reads expired). */
const CODE_TTL_MS = 10 * 60 * 1000;
/** An expired access token is still recognised (and named expired) for a day. */
const EXPIRED_TOKEN_MEMORY_MS = 24 * 60 * 60 * 1000;
/** How long a used refresh token is remembered as used when refresh tokens do not expire. */
const ROTATION_MEMORY_MS = 90 * 24 * 60 * 60 * 1000;

export class EmulatedOAuthServer {
  readonly #codes: SandboxRecords<PendingCode>;
  readonly #grants: SandboxRecords<GrantRecord>;
  readonly #tokens: Record<TokenKind, SandboxRecords<TokenRecord>>;
  /** A refresh token's first use; a second use of the same token finds it taken. */
  readonly #rotations: SandboxRecords<true>;

  constructor(
    store: Store,
    readonly policy: OAuthPolicy,
    readonly clock: () => number,
    readonly counters: OAuthCounters,
  ) {
    const records = <V>(kind: string, schema: z.ZodType<V>) =>
      new SandboxRecords(store, policy.provider, kind, schema);
    this.#codes = records("code", pendingCodeSchema);
    this.#grants = records("grant", grantRecordSchema);
    this.#tokens = {
      access: records("access", tokenRecordSchema),
      refresh: records("refresh", tokenRecordSchema),
    };
    this.#rotations = records("rotation", z.literal(true));
  }

  /** A one-time code for an approved authorization. */
  async issueCode(code: Omit<PendingCode, "expiresAt">): Promise<string> {
    const value = this.policy.mint.code();
    const pending = { ...code, expiresAt: this.clock() + CODE_TTL_MS };
    await this.#codes.set(value, pending, 2 * CODE_TTL_MS);
    return value;
  }

  /** A code can be presented once: it is gone after the first attempt, successful or not. */
  async takeCode(code: string): Promise<PendingCode | undefined> {
    return code === "" ? undefined : await this.#codes.take(code);
  }

  /** A new grant for an exchanged code, with its first tokens. */
  async exchange(code: PendingCode): Promise<IssuedTokens> {
    this.counters.codeExchanges++;
    const grant: Grant = {
      id: crypto.randomUUID(),
      clientId: code.clientId,
      scopes: code.scopes,
      generation: 0,
      revoked: false,
      issuedAt: this.clock(),
    };
    return await this.#issue(grant, null);
  }

  /**
   * The refresh grant: null when the token is dead (unknown, revoked, expired or already used).
   * Of two uses of one rotating refresh token, even at the same moment, only the first rotates.
   */
  async refresh(presented: string): Promise<IssuedTokens | null> {
    const token = presented === "" ? undefined : await this.#tokens.refresh.get(presented);
    const found = token && await this.#grants.get(token.grantId);
    if (token === undefined || found === undefined || found.revoked) return null;
    const grant = { ...found, id: token.grantId };
    if (this.policy.refreshTokens === "rotating") {
      const first = token.generation === grant.generation &&
        await this.#rotations.claim(presented, true, this.#refreshTtlMs() ?? ROTATION_MEMORY_MS);
      if (!first) {
        this.counters.reusedRefreshTokens++;
        if (this.policy.revokeOnRefreshReuse) await this.revoke(grant);
        return null;
      }
    }
    if (token.expiresAt !== null && token.expiresAt <= this.clock()) return null;
    this.counters.refreshes++;
    if (this.policy.refreshTokens === "fixed") return await this.#issue(grant, presented);
    return await this.#issue({ ...grant, generation: grant.generation + 1 }, null);
  }

  /** What a token is worth now, with its grant and record when the server knows them. */
  async tokenState(
    kind: TokenKind,
    token: string,
  ): Promise<{ state: TokenState; grant?: Grant; record?: TokenRecord }> {
    const record = token === "" ? undefined : await this.#tokens[kind].get(token);
    const found = record && await this.#grants.get(record.grantId);
    if (record === undefined || found === undefined) return { state: "unknown" };
    const grant = { ...found, id: record.grantId };
    const outlives = kind === "access" && this.policy.accessTokensOutliveRevocation;
    if (grant.revoked && !outlives) return { state: "revoked", grant, record };
    if (record.generation !== grant.generation) return { state: "rotated", grant, record };
    if (record.expiresAt !== null && record.expiresAt <= this.clock()) {
      return { state: "expired", grant, record };
    }
    return { state: "live", grant, record };
  }

  /** The live grant a token belongs to, or undefined. */
  async liveGrant(kind: TokenKind, token: string): Promise<Grant | undefined> {
    const found = await this.tokenState(kind, token);
    return found.state === "live" ? found.grant : undefined;
  }

  async revoke(grant: Grant): Promise<void> {
    const { id, ...record } = grant;
    await this.#grants.set(id, { ...record, revoked: true }, this.#refreshTtlMs());
  }

  /** Makes every access token issued so far expired (one second ago). */
  async expireAccessTokens(): Promise<void> {
    for (const [token, record] of await this.#tokens.access.written()) {
      const expired = { ...record, expiresAt: this.clock() - 1000 };
      await this.#tokens.access.set(token, expired, EXPIRED_TOKEN_MEMORY_MS);
    }
  }

  /** Revokes every grant, as a user removing the app would. */
  async revokeAll(): Promise<void> {
    for (const [id, grant] of await this.#grants.written()) await this.revoke({ ...grant, id });
  }

  /** Refresh tokens that would still refresh, for tests that look for leaks. */
  async liveRefreshTokens(): Promise<string[]> {
    const live: string[] = [];
    for (const token of this.#tokens.refresh.writtenIds()) {
      if ((await this.tokenState("refresh", token)).state === "live") live.push(token);
    }
    return live;
  }

  issuedAccessTokens(): string[] {
    return this.#tokens.access.writtenIds();
  }

  #refreshTtlMs(): number | undefined {
    const seconds = this.policy.refreshTokenTtlSeconds;
    return seconds === null ? undefined : seconds * 1000;
  }

  /** Saves the grant, then issues its tokens (keeping `refreshToken` when the policy fixes it). */
  async #issue(grant: Grant, refreshToken: string | null): Promise<IssuedTokens> {
    const { id, ...record } = grant;
    const now = this.clock();
    const grantTtlMs = this.#refreshTtlMs();
    await this.#grants.set(id, record, grantTtlMs);
    const accessTtl = this.policy.accessTokenTtlSeconds;
    const accessExpiresAt = accessTtl === null ? null : now + accessTtl * 1000;
    const accessToken = this.policy.mint.accessToken();
    await this.#tokens.access.set(
      accessToken,
      { grantId: id, generation: grant.generation, expiresAt: accessExpiresAt },
      accessTtl === null ? undefined : accessTtl * 1000 + EXPIRED_TOKEN_MEMORY_MS,
    );
    if (this.policy.refreshTokens === "none") {
      return { grant, accessToken, refreshToken: null, accessExpiresAt };
    }
    const refresh = refreshToken ?? this.policy.mint.refreshToken();
    if (refreshToken === null) {
      const expiresAt = grantTtlMs === undefined ? null : now + grantTtlMs;
      await this.#tokens.refresh.set(
        refresh,
        { grantId: id, generation: grant.generation, expiresAt },
        grantTtlMs,
      );
    }
    return { grant, accessToken, refreshToken: refresh, accessExpiresAt };
  }
}
