/** HubSpot's CRM v3 object list endpoints, emulated with HubSpot's paging, limits and errors. */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { type CrmRecord, DEFAULT_PROPERTIES, type ObjectType } from "./data.ts";
import { type AccessToken, correlationId, type HubspotState } from "./state.ts";

const TYPE_IDS: Record<string, ObjectType> = {
  contacts: "contacts",
  companies: "companies",
  deals: "deals",
  "0-1": "contacts",
  "0-2": "companies",
  "0-3": "deals",
};

/** HubSpot documents a maximum of 100; this sandbox refuses larger pages instead of capping. */
const MAX_LIMIT = 100;

const querySchema = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(10),
  after: z.string().optional(),
  properties: z.string().optional(),
  archived: z.enum(["true", "false"]).default("false"),
});

function hubspotError(
  c: Context,
  status: 400 | 401 | 403 | 404 | 429,
  category: string,
  message: string,
  extra: Record<string, unknown> = {},
): Response {
  return c.json({
    status: "error",
    message,
    correlationId: correlationId(),
    category,
    ...extra,
  }, status);
}

/** The cursor HubSpot hands out is opaque; here it is base64 of the next index. */
const encodeAfter = (index: number) => btoa(String(index)).replace(/=+$/, "");
function decodeAfter(after: string): number | null {
  try {
    const index = Number(atob(after));
    return Number.isInteger(index) && index >= 0 ? index : null;
  } catch {
    return null;
  }
}

export function hubspotCrm(state: HubspotState): Hono {
  const app = new Hono();

  /** The ten-secondly rolling window, per installed account (grant). */
  function rateHeaders(c: Context, token: AccessToken): boolean {
    const now = state.clock();
    const calls = (state.calls.get(token.grant) ?? []).filter((t) =>
      t > now - state.rateLimit.intervalMs
    );
    const allowed = calls.length < state.rateLimit.max;
    if (allowed) calls.push(now);
    state.calls.set(token.grant, calls);
    c.header("X-HubSpot-RateLimit-Max", String(state.rateLimit.max));
    c.header(
      "X-HubSpot-RateLimit-Remaining",
      String(Math.max(0, state.rateLimit.max - calls.length)),
    );
    c.header("X-HubSpot-RateLimit-Interval-Milliseconds", String(state.rateLimit.intervalMs));
    return allowed;
  }

  app.get("/crm/v3/objects/:objectType", async (c) => {
    c.header("X-HubSpot-Correlation-Id", correlationId());
    state.counters.crmCalls++;
    if (state.latencyMs > 0) await new Promise((r) => setTimeout(r, state.latencyMs));
    const fault = state.faults.crm.shift();
    if (fault) return c.json(fault.body as object, fault.status as 400, fault.headers);

    const bearer = /^Bearer (.+)$/.exec(c.req.header("Authorization") ?? "")?.[1];
    const token = bearer === undefined ? undefined : state.accessTokens.get(bearer);
    if (!token || token.grant.revoked && token.expiresAt <= state.clock()) {
      return hubspotError(
        c,
        401,
        "INVALID_AUTHENTICATION",
        "Authentication credentials not found.",
      );
    }
    if (token.expiresAt <= state.clock()) {
      const ago = Math.floor((state.clock() - token.expiresAt) / 1000);
      return hubspotError(
        c,
        401,
        "EXPIRED_AUTHENTICATION",
        `The OAuth token used to make this call expired ${ago} second(s) ago.`,
        { context: { "expire time": [new Date(token.expiresAt).toISOString()] } },
      );
    }
    const objectType = TYPE_IDS[c.req.param("objectType")];
    if (objectType === undefined) {
      return hubspotError(
        c,
        400,
        "VALIDATION_ERROR",
        "Unable to infer object type from: " +
          c.req.param("objectType").slice(0, 50),
      );
    }
    if (!token.grant.scopes.includes(`crm.objects.${objectType}.read`)) {
      return hubspotError(
        c,
        403,
        "MISSING_SCOPES",
        "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
        {
          errors: [{
            message: `One of the following scopes is required: [crm.objects.${objectType}.read]`,
          }],
        },
      );
    }
    if (!rateHeaders(c, token)) {
      state.counters.rateLimited++;
      return c.json({
        status: "error",
        message: "You have reached your ten_secondly_rolling limit.",
        errorType: "RATE_LIMIT",
        correlationId: correlationId(),
        policyName: "TEN_SECONDLY_ROLLING",
        groupName: `publicapp:${state.hubId}`,
      }, 429);
    }
    const query = querySchema.safeParse(c.req.query());
    if (!query.success) {
      return hubspotError(
        c,
        400,
        "VALIDATION_ERROR",
        `Invalid input: ${query.error.issues[0].path.join(".")} ${query.error.issues[0].message}`,
      );
    }
    const { limit, after, properties, archived } = query.data;
    const start = after === undefined ? 0 : decodeAfter(after);
    if (start === null) {
      return hubspotError(c, 400, "VALIDATION_ERROR", "Invalid input: after is not a valid cursor");
    }
    const wanted = properties === undefined
      ? DEFAULT_PROPERTIES[objectType]
      : properties.split(",").map((p) => p.trim()).filter((p) => p !== "");
    const visible = state.data[objectType].filter((r) => r.archived === (archived === "true"));
    const page = visible.slice(start, start + limit).map((r) => present(r, wanted));
    const next = start + limit < visible.length ? encodeAfter(start + limit) : null;
    return c.json({
      results: page,
      ...(next === null ? {} : { paging: { next: { after: next, link: `?after=${next}` } } }),
    });
  });

  return app;
}

function present(record: CrmRecord, wanted: string[]) {
  const properties: Record<string, string | null> = {};
  for (const name of wanted) {
    if (name in record.properties) properties[name] = record.properties[name];
  }
  properties.hs_object_id = record.id;
  return {
    id: record.id,
    properties,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    archived: record.archived,
    ...(record.archived ? { archivedAt: record.updatedAt } : {}),
  };
}
