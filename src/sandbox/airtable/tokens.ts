/** Minting and checking the sandbox's tokens, PKCE and client credentials. */
import type { AirtableState, Authorization, IssuedToken } from "./state.ts";
import { randomId } from "./state.ts";

/** Airtable's rule for state and code_verifier characters (RFC 7636 also allows "~"). */
export const PARAM_CHARS = /^[A-Za-z0-9._-]+$/;

/** 60 days: Airtable's refresh token lifetime, renewed on every rotation. */
export const REFRESH_TTL_SECONDS = 5_184_000;

/** base64url(sha256(verifier)) without padding. */
export async function s256(verifier: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)),
  );
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The id and secret of an `Authorization: Basic` header; null when absent or malformed. */
export function basicCredentials(
  header: string | undefined,
): { id: string; secret: string } | null {
  const encoded = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "")?.[1];
  if (encoded === undefined) return null;
  let decoded: string;
  try {
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0)),
    );
  } catch {
    return null;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/** Saves the grant, then issues an access and refresh token of its current generation. */
export async function issueTokens(
  state: AirtableState,
  authorizationId: string,
  authorization: Authorization,
) {
  const now = state.clock();
  const accessTtlMs = state.accessTokenTtlSeconds * 1000;
  const refreshTtlMs = state.refreshTokenTtlSeconds * 1000;
  const issued = (ttlMs: number): IssuedToken => ({
    authorizationId,
    generation: authorization.generation,
    expiresAt: now + ttlMs,
  });
  // Shaped like Airtable's: an id part and a secret part joined by a dot.
  const accessToken = `${randomId("oaa", 14)}.${randomId("", 64)}`;
  const refreshToken = `${randomId("oar", 14)}.${randomId("", 64)}`;
  const { records } = state;
  await records.authorizations.set(authorizationId, authorization, refreshTtlMs);
  await records.accessTokens.set(accessToken, issued(accessTtlMs), accessTtlMs);
  await records.refreshTokens.set(refreshToken, issued(refreshTtlMs), refreshTtlMs);
  return {
    access_token: accessToken,
    refresh_token: refreshToken,
    token_type: "Bearer",
    scope: authorization.scopes.join(" "),
    expires_in: state.accessTokenTtlSeconds,
    refresh_expires_in: state.refreshTokenTtlSeconds,
  };
}
