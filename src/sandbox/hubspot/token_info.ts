/**
 * Token metadata (`GET /oauth/v1/access-tokens/:token`, `GET /oauth/v1/refresh-tokens/:token`) and
 * `DELETE /oauth/v1/refresh-tokens/:token`, which deletes the refresh token only: access tokens
 * already minted keep working until they expire. None of these take an Authorization header.
 */
import { Hono } from "hono";
import { apiError, correlationId, jsonResponse } from "./errors.ts";
import { findAccessToken, type HubspotState, pause } from "./state.ts";

function notFound(what: string): Response {
  return apiError(
    404,
    "OBJECT_NOT_FOUND",
    `The ${what} was not found: it is unknown, expired or revoked.`,
    { "X-HubSpot-Correlation-Id": correlationId() },
  );
}

export function hubspotTokenInfo(state: HubspotState): Hono {
  const app = new Hono();
  const { account } = state;

  app.get("/oauth/v1/access-tokens/:token", async (c) => {
    await pause(state);
    const found = await findAccessToken(state, c.req.param("token"));
    if (!found || found.expiresAt <= state.clock()) return notFound("access token");
    return jsonResponse(200, {
      token: found.token,
      user: account.user,
      hub_domain: account.hubDomain,
      scopes: found.scopes,
      hub_id: account.hubId,
      app_id: state.app.appId,
      expires_in: Math.floor((found.expiresAt - state.clock()) / 1000),
      user_id: account.userId,
      token_type: "access",
      is_private_distribution: false,
    });
  });

  app.get("/oauth/v1/refresh-tokens/:token", async (c) => {
    await pause(state);
    const token = c.req.param("token");
    const grant = await state.oauth.liveGrant("refresh", token);
    if (!grant) return notFound("refresh token");
    return jsonResponse(200, {
      token,
      user: account.user,
      hub_domain: account.hubDomain,
      scopes: grant.scopes,
      hub_id: account.hubId,
      client_id: grant.clientId,
      user_id: account.userId,
      token_type: "refresh",
    });
  });

  app.delete("/oauth/v1/refresh-tokens/:token", async (c) => {
    await pause(state);
    const grant = await state.oauth.liveGrant("refresh", c.req.param("token"));
    if (!grant) return notFound("refresh token");
    await state.oauth.revoke(grant);
    state.counters.revocations++;
    return new Response(null, { status: 204 });
  });

  return app;
}
