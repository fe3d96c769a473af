/**
 * `GET /crm/v3/objects/:objectType`: bearer authentication, the ten-secondly rolling limit per
 * account, scopes, then one page. Every answer (errors and 429 included) carries the
 * X-HubSpot-RateLimit-* headers and X-HubSpot-Correlation-Id; none carries Retry-After.
 */
import { Hono } from "hono";
import { apiError, correlationId, faultResponse, jsonResponse } from "./errors.ts";
import { listPage, OBJECT_TYPES, parseListQuery } from "./crm_query.ts";
import { type AccessToken, findAccessToken, type HubspotState, pause, takeFault } from "./state.ts";

const SCOPES_URL = "https://developers.hubspot.com/scopes";

/** The token named by `Authorization: Bearer <token>`, if the sandbox issued it. */
async function bearer(
  state: HubspotState,
  header: string | undefined,
): Promise<AccessToken | undefined> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match ? await findAccessToken(state, match[1]) : undefined;
}

export function hubspotCrm(state: HubspotState): Hono {
  const app = new Hono();
  const account = String(state.account.hubId);

  app.get("/crm/v3/objects/:objectType", async (c) => {
    const id = correlationId();
    const headers = (remaining: number): Record<string, string> => ({
      "X-HubSpot-RateLimit-Max": String(state.limiter.window.max),
      "X-HubSpot-RateLimit-Remaining": String(remaining),
      "X-HubSpot-RateLimit-Interval-Milliseconds": String(state.limiter.window.intervalMs),
      "X-HubSpot-Correlation-Id": id,
    });
    state.counters.crmCalls++;
    await pause(state);
    const fault = takeFault(state, "crm");
    if (fault) return faultResponse(fault, headers(await state.limiter.remaining(account)));

    const token = await bearer(state, c.req.header("Authorization"));
    if (!token) {
      return apiError(
        401,
        "INVALID_AUTHENTICATION",
        "Authentication credentials not found.",
        headers(await state.limiter.remaining(account)),
      );
    }
    const now = state.clock();
    if (token.expiresAt <= now) {
      const ago = Math.floor((now - token.expiresAt) / 1000);
      return apiError(
        401,
        "EXPIRED_AUTHENTICATION",
        `The OAuth token used to make this call expired ${ago} second(s) ago.`,
        headers(await state.limiter.remaining(account)),
        { context: { "expire time": [new Date(token.expiresAt).toISOString()] } },
      );
    }

    // Every authenticated call counts, whatever it asks for; refused calls do not.
    const decision = await state.limiter.take(account);
    const rated = headers(decision.remaining);
    if (!decision.allowed) {
      state.counters.rateLimited++;
      return jsonResponse(429, {
        status: "error",
        message: "You have reached your ten_secondly_rolling limit.",
        errorType: "RATE_LIMIT",
        correlationId: id,
        policyName: "TEN_SECONDLY_ROLLING",
        groupName: `publicapp:${state.app.appId}:${account}`,
      }, rated);
    }

    const name = c.req.param("objectType");
    const type = Object.hasOwn(OBJECT_TYPES, name) ? OBJECT_TYPES[name] : undefined;
    if (type === undefined) {
      return apiError(
        400,
        "VALIDATION_ERROR",
        `Unable to infer object type from: ${name.slice(0, 100)}`,
        rated,
      );
    }
    const scope = `crm.objects.${type}.read`;
    if (!token.scopes.includes(scope)) {
      return apiError(
        403,
        "MISSING_SCOPES",
        `This app hasn't been granted all required scopes to make this call. Read more about required scopes here: ${SCOPES_URL}.`,
        rated,
        {
          errors: [{
            message: "One or more of the following scopes are required.",
            context: { requiredGranularScopes: [scope] },
          }],
          links: { scopes: SCOPES_URL },
        },
      );
    }
    const query = parseListQuery(c.req.query(), c.req.queries("properties"));
    if (typeof query === "string") return apiError(400, "VALIDATION_ERROR", query, rated);
    return jsonResponse(200, listPage(type, state.data[type], query), rated);
  });

  return app;
}
