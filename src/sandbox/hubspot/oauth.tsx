/** HubSpot's OAuth endpoints, emulated: install page, token endpoint, token metadata. */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { HubspotConsent } from "../../../views/sandbox/hubspot_consent.tsx";
import { SandboxErrorPage } from "../../../views/sandbox/sandbox_page.tsx";
import {
  correlationId,
  type Grant,
  type HubspotState,
  issueAccessToken,
  KNOWN_SCOPES,
  randomToken,
  refreshTokenValue,
} from "./state.ts";

const CODE_TTL_MS = 10 * 60 * 1000;

const authorizeSchema = z.object({
  client_id: z.string().min(1),
  redirect_uri: z.string().min(1),
  scope: z.string().default(""),
  optional_scope: z.string().optional(),
  state: z.string().max(2048).optional(),
});
type AuthorizeRequest = z.infer<typeof authorizeSchema>;

const splitScopes = (value: string | undefined) =>
  (value ?? "").split(/[\s+]+/).filter((s) => s !== "");

/** What HubSpot checks before showing its install screen; a message when it refuses. */
function refusal(state: HubspotState, request: AuthorizeRequest): string | null {
  if (request.client_id !== state.clientId) return "Invalid client_id: no app has this id.";
  if (!state.redirectUris.includes(request.redirect_uri)) {
    return `Authorization failed as the redirect URL '${request.redirect_uri}' doesn't match the app's registered redirect URL.`;
  }
  const scopes = splitScopes(request.scope);
  const unknown = [...scopes, ...splitScopes(request.optional_scope)].filter((s) =>
    !KNOWN_SCOPES.includes(s)
  );
  if (unknown.length > 0) return `Unknown scopes requested: ${unknown.join(", ")}.`;
  const missing = state.requiredScopes.filter((s) => !scopes.includes(s));
  if (missing.length > 0) {
    return "Authorization failed because there is a mismatch between the scopes in the install URL and the app's configured scopes.";
  }
  return null;
}

function tokenError(
  c: Context,
  status: 400 | 401,
  error: string,
  legacyStatus: string,
  message: string,
): Response {
  return c.json({
    error,
    error_description: message,
    status: legacyStatus,
    message,
    correlationId: correlationId(),
  }, status);
}

export function hubspotOAuth(state: HubspotState): Hono {
  const app = new Hono();

  app.get("/oauth/authorize", (c) => {
    const parsed = authorizeSchema.safeParse(c.req.query());
    const message = parsed.success
      ? refusal(state, parsed.data)
      : "The install URL is missing client_id or redirect_uri.";
    if (!parsed.success || message !== null) {
      return c.html(<SandboxErrorPage provider="HubSpot" message={message!} />, 400);
    }
    const { client_id, redirect_uri, scope, state: oauthState } = parsed.data;
    const fields: Record<string, string> = { client_id, redirect_uri, scope };
    if (oauthState !== undefined) fields.state = oauthState;
    return c.html(
      <HubspotConsent
        action={c.req.path}
        hubId={state.hubId}
        scopes={splitScopes(scope)}
        fields={fields}
      />,
    );
  });

  app.post("/oauth/authorize", async (c) => {
    const form = await c.req.parseBody().catch(() => ({}));
    const parsed = authorizeSchema.extend({ decision: z.enum(["approve", "deny"]) }).safeParse(
      form,
    );
    const message = parsed.success ? refusal(state, parsed.data) : "The form was incomplete.";
    if (!parsed.success || message !== null) {
      return c.html(<SandboxErrorPage provider="HubSpot" message={message!} />, 400);
    }
    const request = parsed.data;
    const target = new URL(request.redirect_uri);
    if (request.decision === "deny") {
      target.searchParams.set("error", "access_denied");
      target.searchParams.set("error_description", "The user denied the request.");
    } else {
      const code = randomToken("", 18);
      state.codes.set(code, {
        clientId: request.client_id,
        redirectUri: request.redirect_uri,
        scopes: splitScopes(request.scope),
        expiresAt: state.clock() + CODE_TTL_MS,
      });
      target.searchParams.set("code", code);
    }
    if (request.state !== undefined) target.searchParams.set("state", request.state);
    return c.redirect(target.toString(), 302);
  });

  app.post("/oauth/v1/token", async (c) => {
    const type = c.req.header("content-type") ?? "";
    if (!type.startsWith("application/x-www-form-urlencoded")) {
      return tokenError(c, 400, "invalid_request", "BAD_REQUEST", "The body must be form encoded.");
    }
    const form = new URLSearchParams(await c.req.text());
    const grantType = form.get("grant_type");
    const counter = grantType === "authorization_code" || grantType === "refresh_token"
      ? grantType
      : "other";
    state.counters.tokenCalls[counter]++;
    const fault = state.faults.token.shift();
    if (fault) return c.json(fault.body as object, fault.status as 400, fault.headers);
    if (
      form.get("client_id") !== state.clientId || form.get("client_secret") !== state.clientSecret
    ) {
      return tokenError(
        c,
        400,
        "invalid_client",
        "BAD_CLIENT_ID",
        "missing or invalid client_id / client_secret",
      );
    }
    let grant: Grant;
    if (grantType === "authorization_code") {
      const code = form.get("code") ?? "";
      const pending = state.codes.get(code);
      state.codes.delete(code);
      if (!pending) {
        return tokenError(c, 400, "invalid_grant", "BAD_AUTH_CODE", "missing or unknown auth code");
      }
      if (pending.expiresAt <= state.clock()) {
        return tokenError(c, 400, "invalid_grant", "EXPIRED_AUTH_CODE", "auth code is expired");
      }
      if (pending.redirectUri !== form.get("redirect_uri")) {
        return tokenError(
          c,
          400,
          "invalid_grant",
          "BAD_REDIRECT_URI",
          "redirect_uri does not match",
        );
      }
      grant = { refreshToken: refreshTokenValue(), scopes: pending.scopes, revoked: false };
      state.grants.set(grant.refreshToken, grant);
    } else if (grantType === "refresh_token") {
      const found = state.grants.get(form.get("refresh_token") ?? "");
      if (!found || found.revoked) {
        return tokenError(
          c,
          400,
          "invalid_grant",
          "BAD_REFRESH_TOKEN",
          "refresh token is invalid, expired or revoked",
        );
      }
      grant = found;
    } else {
      return tokenError(
        c,
        400,
        "unsupported_grant_type",
        "BAD_GRANT_TYPE",
        "unsupported grant_type",
      );
    }
    return c.json({
      token_type: "bearer",
      refresh_token: grant.refreshToken,
      access_token: issueAccessToken(state, grant),
      expires_in: state.accessTokenTtlSeconds,
      hub_id: state.hubId,
      scopes: grant.scopes,
    });
  });

  app.get("/oauth/v1/access-tokens/:token", (c) => {
    const token = c.req.param("token");
    const found = state.accessTokens.get(token);
    if (!found || found.expiresAt <= state.clock()) {
      return c.json({
        status: "error",
        message: "The access token is invalid or expired.",
        correlationId: correlationId(),
        category: "OBJECT_NOT_FOUND",
      }, 404);
    }
    return c.json({
      token,
      user: "sandbox.user@example.com",
      hub_domain: `sandbox-${state.hubId}.hubspot.com`,
      scopes: found.grant.scopes,
      hub_id: state.hubId,
      app_id: 1_234_567,
      expires_in: Math.floor((found.expiresAt - state.clock()) / 1000),
      user_id: 7_654_321,
      token_type: "access",
    });
  });

  app.get("/oauth/v1/refresh-tokens/:token", (c) => {
    const grant = state.grants.get(c.req.param("token"));
    if (!grant || grant.revoked) {
      return c.json({ status: "error", message: "refresh token not found" }, 404);
    }
    return c.json({
      token: grant.refreshToken,
      user: "sandbox.user@example.com",
      hub_domain: `sandbox-${state.hubId}.hubspot.com`,
      scopes: grant.scopes,
      hub_id: state.hubId,
      client_id: state.clientId,
      user_id: 7_654_321,
      token_type: "refresh",
    });
  });

  app.delete("/oauth/v1/refresh-tokens/:token", (c) => {
    const grant = state.grants.get(c.req.param("token"));
    if (!grant || grant.revoked) {
      return c.json({ status: "error", message: "refresh token not found" }, 404);
    }
    grant.revoked = true;
    return c.body(null, 204);
  });

  return app;
}
