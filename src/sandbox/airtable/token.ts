/**
 * POST /oauth2/v1/token, as Airtable documents it: a form body only; HTTP Basic required when
 * the integration has a secret (forbidden when it has none); codes single-use even when the
 * exchange fails and valid 10 minutes; PKCE S256 always; refresh tokens rotate, and a rotation
 * kills the previous refresh and access token.
 */
import { Hono } from "hono";
import { faultResponse, jsonResponse, oauthError } from "./errors.ts";
import { type AirtableState, pause } from "./state.ts";
import { basicCredentials, issueTokens, PARAM_CHARS, s256 } from "./tokens.ts";

const MAX_BODY = 16_384;

export function airtableToken(state: AirtableState): Hono {
  const app = new Hono();
  app.post("/oauth2/v1/token", async (c) => {
    state.counters.tokenCalls++;
    await pause(state.latencyMs);
    const fault = state.faults.token.shift();
    if (fault) {
      await pause(fault.delayMs ?? 0, c.req.raw);
      return faultResponse(fault);
    }
    const type = c.req.header("Content-Type") ?? "";
    if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
      return oauthError(
        400,
        "invalid_request",
        "Content-Type must be application/x-www-form-urlencoded.",
      );
    }
    const text = await c.req.text().catch(() => null);
    if (text === null || text.length > MAX_BODY) {
      return oauthError(400, "invalid_request", "The request body could not be read.");
    }
    const form = new URLSearchParams(text);
    const grantType = form.get("grant_type");
    // A code is burnt by the first request that presents it, whatever happens next.
    const code = grantType === "authorization_code" ? form.get("code") : null;
    const pending = code === null || code === "" ? undefined : await state.records.codes.take(code);

    const refusal = authenticate(state, c.req.header("Authorization"), form);
    if (refusal !== null) return refusal;

    if (grantType === "authorization_code") {
      if (code === null || code === "") {
        return oauthError(400, "invalid_request", "code is required.");
      }
      if (pending === undefined || pending.expiresAt <= state.clock()) {
        return oauthError(400, "invalid_grant", "The authorization code is invalid or expired.");
      }
      if (pending.clientId !== state.clientId) {
        return oauthError(400, "invalid_grant", "The code was issued to another client.");
      }
      if (form.get("redirect_uri") !== pending.redirectUri) {
        return oauthError(400, "invalid_grant", "redirect_uri does not match the authorization.");
      }
      const verifier = form.get("code_verifier") ?? "";
      if (verifier.length < 43 || verifier.length > 128 || !PARAM_CHARS.test(verifier)) {
        return oauthError(
          400,
          "invalid_request",
          "code_verifier must be 43 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-'.",
        );
      }
      if ((await s256(verifier)) !== pending.challenge) {
        return oauthError(400, "invalid_grant", "code_verifier does not match code_challenge.");
      }
      state.counters.codeExchanges++;
      const authorization = { scopes: pending.scopes, generation: 0, revoked: false };
      return tokenAnswer(await issueTokens(state, crypto.randomUUID(), authorization));
    }

    if (grantType === "refresh_token") {
      const presented = form.get("refresh_token") ?? "";
      if (presented === "") {
        return oauthError(400, "invalid_request", "refresh_token is required.");
      }
      const { records } = state;
      const token = await records.refreshTokens.get(presented);
      const authorization = token && await records.authorizations.get(token.authorizationId);
      const dead = "The refresh token is invalid, expired or revoked.";
      if (token === undefined || authorization === undefined || authorization.revoked) {
        return oauthError(400, "invalid_grant", dead);
      }
      // Of two uses of one refresh token, even at the same moment, only the first rotates.
      const first = token.generation === authorization.generation &&
        await records.rotations.claim(presented, true, state.refreshTokenTtlSeconds * 1000);
      if (!first) {
        state.counters.reusedRefreshTokens++;
        // Airtable may revoke the whole grant when a used refresh token comes back.
        if (state.revokeOnRefreshReuse) {
          await records.authorizations.set(token.authorizationId, {
            ...authorization,
            revoked: true,
          });
        }
        return oauthError(400, "invalid_grant", dead);
      }
      if (token.expiresAt <= state.clock()) return oauthError(400, "invalid_grant", dead);
      state.counters.refreshes++;
      const rotated = { ...authorization, generation: token.generation + 1 };
      return tokenAnswer(await issueTokens(state, token.authorizationId, rotated));
    }

    if (grantType === null || grantType === "") {
      return oauthError(400, "invalid_request", "grant_type is required.");
    }
    return oauthError(400, "unsupported_grant_type", "grant_type is not supported.");
  });
  return app;
}

/**
 * Client authentication. With a secret: Basic is required and must match; a body client_id must
 * agree with it; a secret only in the body is refused. Without a secret: no Basic, client_id in
 * the body.
 */
function authenticate(
  state: AirtableState,
  header: string | undefined,
  form: URLSearchParams,
): Response | null {
  const basic = basicCredentials(header);
  const bodyId = form.get("client_id");
  if (state.clientSecret === "") {
    if (header !== undefined) {
      return oauthError(401, "invalid_client", "This integration has no secret: omit Basic auth.");
    }
    return bodyId === state.clientId
      ? null
      : oauthError(401, "invalid_client", "client_id is missing or unknown.");
  }
  if (basic === null) {
    return oauthError(
      401,
      "invalid_client",
      "Client authentication failed: this integration has a secret, so HTTP Basic is required.",
    );
  }
  if (basic.id !== state.clientId || basic.secret !== state.clientSecret) {
    return oauthError(401, "invalid_client", "Client authentication failed.");
  }
  if (bodyId !== null && bodyId !== basic.id) {
    return oauthError(401, "invalid_client", "client_id does not match the Basic credentials.");
  }
  return null;
}

function tokenAnswer(body: unknown): Response {
  return jsonResponse(body, 200, { "Cache-Control": "no-store", Pragma: "no-cache" });
}
