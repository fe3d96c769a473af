/** Airtable's token rules for the shared OAuth server, and its token endpoint's answer. */
import type { IssuedTokens, OAuthPolicy } from "../oauth_server.ts";
import { type AirtableState, randomId } from "./state.ts";

/** Airtable's rule for state and code_verifier characters (RFC 7636 also allows "~"). */
export const PARAM_CHARS = /^[A-Za-z0-9._-]+$/;

/** 60 days: Airtable's refresh token lifetime, renewed on every rotation. */
export const REFRESH_TTL_SECONDS = 5_184_000;

/** Refresh tokens rotate, and a rotation kills the previous refresh AND access token. */
export function airtablePolicy(
  accessTokenTtlSeconds: number,
  revokeOnRefreshReuse: boolean,
): OAuthPolicy {
  return {
    provider: "airtable",
    accessTokenTtlSeconds,
    refreshTokens: "rotating",
    refreshTokenTtlSeconds: REFRESH_TTL_SECONDS,
    revokeOnRefreshReuse,
    accessTokensOutliveRevocation: false,
    // Shaped like Airtable's: an id part and a secret part joined by a dot.
    mint: {
      code: () => randomId("", 40),
      accessToken: () => `${randomId("oaa", 14)}.${randomId("", 64)}`,
      refreshToken: () => `${randomId("oar", 14)}.${randomId("", 64)}`,
    },
  };
}

/** The token endpoint's JSON answer for what the server issued. */
export function tokenBody(state: AirtableState, issued: IssuedTokens): Record<string, unknown> {
  return {
    access_token: issued.accessToken,
    refresh_token: issued.refreshToken,
    token_type: "Bearer",
    scope: issued.grant.scopes.join(" "),
    expires_in: state.accessTokenTtlSeconds,
    refresh_expires_in: state.refreshTokenTtlSeconds,
  };
}
