/**
 * `GET /crm/v3/objects/:objectType` (one page of the list) and `POST .../search` (CRM search):
 * bearer authentication, the ten-secondly rolling limit per account (search: its own limit of
 * five a second), scopes, then the answer. Every answer (errors and 429 included) carries the
 * X-HubSpot-RateLimit-* headers and X-HubSpot-Correlation-Id; none carries Retry-After.
 */
import { type Context, Hono } from "hono";
import { apiError, correlationId, faultResponse, jsonResponse } from "./errors.ts";
import { listPage, OBJECT_TYPES, parseListQuery } from "./crm_query.ts";
import { parseSearch, searchPage } from "./crm_search.ts";
import type { ObjectType } from "./data.ts";
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

/** Which limit a call counts against: the ten-secondly one, or search's own per second. */
type LimitKind = "standard" | "search";

/** What a CRM call passed: its object type and the rate-limit headers for its answer. */
interface Admitted {
  type: ObjectType;
  headers: Record<string, string>;
}

/**
 * The checks every CRM call passes in HubSpot's order: an injected fault, the bearer token and
 * its expiry, the call's rate limit (every authenticated call counts, refused ones do not), the
 * object type, the scope. Answers the refusal, or what the call may go on with.
 */
async function admit(
  state: HubspotState,
  c: Context,
  kind: LimitKind,
): Promise<Response | Admitted> {
  const account = String(state.account.hubId);
  const id = correlationId();
  const limiter = kind === "search" ? state.searchLimiter : state.limiter;
  const headers = (remaining: number): Record<string, string> => ({
    "X-HubSpot-RateLimit-Max": String(limiter.window.max),
    "X-HubSpot-RateLimit-Remaining": String(remaining),
    "X-HubSpot-RateLimit-Interval-Milliseconds": String(limiter.window.intervalMs),
    "X-HubSpot-Correlation-Id": id,
  });
  state.counters.crmCalls++;
  if (kind === "search") state.counters.searchCalls++;
  await pause(state);
  const fault = takeFault(state, "crm");
  if (fault) return faultResponse(fault, headers(limiter.remaining(account)));

  const token = await bearer(state, c.req.header("Authorization"));
  if (!token) {
    return apiError(
      401,
      "INVALID_AUTHENTICATION",
      "Authentication credentials not found.",
      headers(limiter.remaining(account)),
    );
  }
  const now = state.clock();
  if (token.expiresAt <= now) {
    const ago = Math.floor((now - token.expiresAt) / 1000);
    return apiError(
      401,
      "EXPIRED_AUTHENTICATION",
      `The OAuth token used to make this call expired ${ago} second(s) ago.`,
      headers(limiter.remaining(account)),
      { context: { "expire time": [new Date(token.expiresAt).toISOString()] } },
    );
  }

  const decision = limiter.take(account);
  const rated = headers(decision.remaining);
  if (!decision.allowed) {
    state.counters.rateLimited++;
    const search = kind === "search";
    return jsonResponse(429, {
      status: "error",
      message: search
        ? "You have reached your secondly limit."
        : "You have reached your ten_secondly_rolling limit.",
      errorType: "RATE_LIMIT",
      correlationId: id,
      policyName: search ? "SECONDLY" : "TEN_SECONDLY_ROLLING",
      groupName: `publicapp:${state.app.appId}:${account}`,
    }, rated);
  }

  const name = c.req.param("objectType") ?? "";
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
  return { type, headers: rated };
}

export function hubspotCrm(state: HubspotState): Hono {
  const app = new Hono();

  app.get("/crm/v3/objects/:objectType", async (c) => {
    const admitted = await admit(state, c, "standard");
    if (admitted instanceof Response) return admitted;
    const { type, headers } = admitted;
    const query = parseListQuery(c.req.query(), c.req.queries("properties"));
    if (typeof query === "string") return apiError(400, "VALIDATION_ERROR", query, headers);
    return jsonResponse(200, listPage(type, state.data[type], query), headers);
  });

  app.post("/crm/v3/objects/:objectType/search", async (c) => {
    const admitted = await admit(state, c, "search");
    if (admitted instanceof Response) return admitted;
    const { type, headers } = admitted;
    const body = await c.req.json().catch(() => undefined);
    const query = parseSearch(body);
    if (typeof query === "string") return apiError(400, "VALIDATION_ERROR", query, headers);
    const answer = searchPage(type, state.data[type], query);
    if (typeof answer === "string") return apiError(400, "VALIDATION_ERROR", answer, headers);
    return jsonResponse(200, answer, headers);
  });

  return app;
}
