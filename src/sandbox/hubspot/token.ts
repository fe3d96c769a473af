/**
 * `POST /oauth/v1/token`: form-encoded only, client credentials in the form body (an HTTP Basic
 * header is ignored, as HubSpot ignores it), authorization_code and refresh_token grants. The
 * refresh token is not rotated: the refresh grant answers with the same one.
 */
import { type Context, Hono } from "hono";
import { type ClientAuthFailure, clientAuthFailure } from "../client_auth.ts";
import { countTokenCall, type IssuedTokens } from "../oauth_server.ts";
import { faultResponse, jsonResponse, oauthError } from "./errors.ts";
import { type HubspotState, pause, takeFault } from "./state.ts";

type GrantType = "authorization_code" | "refresh_token";

const isGrantType = (value: string | null): value is GrantType =>
  value === "authorization_code" || value === "refresh_token";

/** The form, or null when the body is not application/x-www-form-urlencoded. */
async function readForm(c: Context): Promise<URLSearchParams | null> {
  const type = (c.req.header("Content-Type") ?? "").toLowerCase();
  if (!type.startsWith("application/x-www-form-urlencoded")) return null;
  const text = await c.req.text().catch(() => null);
  return text === null ? null : new URLSearchParams(text);
}

/** HubSpot's legacy status and message for the refusals of its form-body client auth. */
const CLIENT_REFUSALS: Partial<Record<ClientAuthFailure, [string, string]>> = {
  unknown_client: ["BAD_CLIENT_ID", "missing or unknown client id"],
  bad_secret: ["BAD_CLIENT_SECRET", "missing or invalid client secret"],
};

function clientRefusal(state: HubspotState, form: URLSearchParams): Response | null {
  const failure = clientAuthFailure("body", state.app, {
    authorization: undefined,
    clientId: form.get("client_id"),
    clientSecret: form.get("client_secret"),
  });
  if (failure === null) return null;
  const [legacy, message] = CLIENT_REFUSALS[failure] ?? CLIENT_REFUSALS.unknown_client!;
  return oauthError(400, "invalid_client", legacy, message);
}

async function exchangeCode(
  state: HubspotState,
  form: URLSearchParams,
): Promise<IssuedTokens | Response> {
  const pending = await state.oauth.takeCode(form.get("code") ?? "");
  if (!pending || pending.clientId !== form.get("client_id")) {
    return oauthError(400, "invalid_grant", "BAD_AUTH_CODE", "missing or unknown auth code");
  }
  if (pending.expiresAt <= state.clock()) {
    return oauthError(400, "invalid_grant", "EXPIRED_AUTH_CODE", "auth code is expired");
  }
  if (pending.redirectUri !== form.get("redirect_uri")) {
    return oauthError(
      400,
      "invalid_grant",
      "BAD_REDIRECT_URI",
      "redirect_uri does not match the redirect_uri used to get the auth code",
    );
  }
  return await state.oauth.exchange(pending);
}

async function refreshGrant(
  state: HubspotState,
  form: URLSearchParams,
): Promise<IssuedTokens | Response> {
  const presented = form.get("refresh_token") ?? "";
  const grant = await state.oauth.liveGrant("refresh", presented);
  const issued = grant?.clientId === form.get("client_id")
    ? await state.oauth.refresh(presented)
    : null;
  if (issued === null) {
    return oauthError(
      400,
      "invalid_grant",
      "BAD_REFRESH_TOKEN",
      "refresh token is invalid, expired or revoked",
    );
  }
  return issued;
}

export function hubspotToken(state: HubspotState): Hono {
  const app = new Hono();

  app.post("/oauth/v1/token", async (c) => {
    await pause(state);
    const form = await readForm(c);
    const grantType = form?.get("grant_type") ?? null;
    countTokenCall(state.counters, grantType);
    const fault = takeFault(state, "token");
    if (fault) return faultResponse(fault, {});
    if (form === null) {
      return oauthError(
        400,
        "invalid_request",
        "BAD_REQUEST",
        "the request body must be application/x-www-form-urlencoded",
      );
    }
    if (!isGrantType(grantType)) {
      return oauthError(
        400,
        "unsupported_grant_type",
        "BAD_GRANT_TYPE",
        "missing or unknown grant type",
      );
    }
    const refused = clientRefusal(state, form);
    if (refused) return refused;
    const issued = grantType === "authorization_code"
      ? await exchangeCode(state, form)
      : await refreshGrant(state, form);
    if (issued instanceof Response) return issued;
    return jsonResponse(200, {
      token_type: "bearer",
      refresh_token: issued.refreshToken,
      access_token: issued.accessToken,
      expires_in: state.accessTokenTtlSeconds,
      hub_id: state.account.hubId,
      scopes: issued.grant.scopes,
    }, { "Cache-Control": "no-store" });
  });

  return app;
}
