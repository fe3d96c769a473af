import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { mintConnectLink } from "../auth/connect_links.ts";
import type { Owner } from "../connections/connections.ts";
import { UnauthenticatedError } from "../errors.ts";
import { limitBody, SMALL_BODY_BYTES } from "../http/body_limit.ts";
import { rejectInvalid } from "../http/validate.ts";
import type { HubEnv, Services } from "../services.ts";
import { errorResponses, jsonAnswer } from "./api_responses.ts";
import {
  emptyQuerySchema,
  healthDownSchema,
  healthSchema,
  sessionLinkSchema,
  sessionRequestSchema,
} from "./api_schemas.ts";
import { apiRoute, openApiRoute } from "./provider_route.ts";

const routes = {
  health: createRoute({
    method: "get",
    path: "/health",
    tags: ["Service"],
    summary: "The hub and its store answer",
    middleware: [openApiRoute()],
    security: [],
    request: { query: emptyQuerySchema },
    responses: {
      200: jsonAnswer(healthSchema, "A round trip to the store worked"),
      400: errorResponses()[400],
      503: jsonAnswer(healthDownSchema, "The store did not answer"),
    },
  }),
  sessions: createRoute({
    method: "post",
    path: "/api/sessions",
    tags: ["Service"],
    summary: "A connect link that opens a browser session for one user and org",
    description:
      "Opening url within its lifetime (10 minutes) sets the session cookie once and lands on the dashboard.",
    middleware: [apiRoute(), requireApiKey(), limitBody(SMALL_BODY_BYTES)],
    security: [{ apiKey: [] }],
    request: {
      query: emptyQuerySchema,
      body: {
        required: true,
        content: { "application/json": { schema: sessionRequestSchema } },
      },
    },
    responses: {
      201: jsonAnswer(sessionLinkSchema, "The link and when it stops working"),
      ...errorResponses(413, 415),
    },
  }),
};

/** /health and POST /api/sessions. */
export function serviceApi(): OpenAPIHono<HubEnv> {
  const api = new OpenAPIHono<HubEnv>({ defaultHook: rejectInvalid });

  api.openapi(routes.health, async (c) => {
    const { store } = c.get("services");
    try {
      await store.ping();
      return c.json({ ok: true as const, store: store.kind }, 200);
    } catch {
      return c.json({
        ok: false as const,
        store: store.kind,
        error: { code: "store_unavailable", message: "The store did not answer." },
      }, 503);
    }
  });

  api.openapi(routes.sessions, async (c) => {
    const { user_id, org_id } = c.req.valid("json");
    return c.json(
      await connectLink(c.get("services"), { userId: user_id, orgId: org_id }),
      201,
    );
  });

  return api;
}

function requireApiKey(): MiddlewareHandler<HubEnv> {
  return async (c, next) => {
    if (c.get("caller")?.kind !== "api_key") {
      throw new UnauthenticatedError(
        'Connect links are minted by programs: call with "Authorization: Bearer <API key>".',
      );
    }
    await next();
  };
}

async function connectLink(
  { store, config, clock }: Services,
  owner: Owner,
): Promise<{ url: string; expires_at: string }> {
  const link = await mintConnectLink(store, owner, clock());
  return {
    url: `${config.appUrl}/connect/${link.token}`,
    expires_at: new Date(link.expiresAt).toISOString(),
  };
}
