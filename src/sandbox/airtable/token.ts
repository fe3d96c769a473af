/**
 * POST /oauth2/v1/token, as Airtable documents it: a form body only; HTTP Basic required when
 * the integration has a secret (forbidden when it has none); codes single-use even when the
 * exchange fails and valid 10 minutes; PKCE S256 always; refresh tokens rotate, and a rotation
 * kills the previous refresh and access token.
 */
import { Hono } from "hono";
import { type ClientAuthFailure, clientAuthFailure } from "../client_auth.ts";
import { pause, s256 } from "../emulator.ts";
import { countTokenCall } from "../oauth_server.ts";
import { faultResponse, jsonResponse, oauthError } from "./errors.ts";
import type { AirtableState } from "./state.ts";
import { PARAM_CHARS, tokenBody } from "./tokens.ts";

const MAX_BODY = 16_384;

export function airtableToken(state: AirtableState): Hono {
  const app = new Hono();
  app.post("/oauth2/v1/token", async (c) => {
    const type = c.req.header("Content-Type") ?? "";
    const isForm = /^application\/x-www-form-urlencoded\s*(;|$)/i.test(type);
    const text = await c.req.text().catch(() => null);
    countTokenCall(
      state.counters,
      isForm ? new URLSearchParams(text ?? "").get("grant_type") : null,
    );
    await pause(state.latencyMs);
    const fault = state.faults.token.shift();
    if (fault) {
      await pause(fault.delayMs ?? 0, c.req.raw);
      return faultResponse(fault);
    }
    if (!isForm) {
      return oauthError(
        400,
        "invalid_request",
        "Content-Type must be application/x-www-form-urlencoded.",
      );
    }
    if (text === null || text.length > MAX_BODY) {
      return oauthError(400, "invalid_request", "The request body could not be read.");
    }
    const form = new URLSearchParams(text);
    const grantType = form.get("grant_type");
    // A code is burnt by the first request that presents it, whatever happens next.
    const code = grantType === "authorization_code" ? form.get("code") : null;
    const pending = code === null ? undefined : await state.oauth.takeCode(code);

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
      if (pending.challenge === null || (await s256(verifier)) !== pending.challenge) {
        return oauthError(400, "invalid_grant", "code_verifier does not match code_challenge.");
      }
      return tokenAnswer(tokenBody(state, await state.oauth.exchange(pending)));
    }

    if (grantType === "refresh_token") {
      const presented = form.get("refresh_token") ?? "";
      if (presented === "") {
        return oauthError(400, "invalid_request", "refresh_token is required.");
      }
      const issued = await state.oauth.refresh(presented);
      if (issued === null) {
        return oauthError(
          400,
          "invalid_grant",
          "The refresh token is invalid, expired or revoked.",
        );
      }
      return tokenAnswer(tokenBody(state, issued));
    }

    if (grantType === null || grantType === "") {
      return oauthError(400, "invalid_request", "grant_type is required.");
    }
    return oauthError(400, "unsupported_grant_type", "grant_type is not supported.");
  });
  return app;
}

/** Airtable's words for each refusal of its Basic client auth (401 invalid_client). */
const CLIENT_REFUSALS: Record<ClientAuthFailure, string> = {
  basic_forbidden: "This integration has no secret: omit Basic auth.",
  unknown_client: "client_id is missing or unknown.",
  basic_required:
    "Client authentication failed: this integration has a secret, so HTTP Basic is required.",
  bad_credentials: "Client authentication failed.",
  bad_secret: "Client authentication failed.",
  client_mismatch: "client_id does not match the Basic credentials.",
};

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
  const failure = clientAuthFailure("basic", state, {
    authorization: header,
    clientId: form.get("client_id"),
    clientSecret: form.get("client_secret"),
  });
  return failure === null ? null : oauthError(401, "invalid_client", CLIENT_REFUSALS[failure]);
}

function tokenAnswer(body: unknown): Response {
  return jsonResponse(body, 200, { "Cache-Control": "no-store", Pragma: "no-cache" });
}
