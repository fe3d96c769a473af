import type { Context } from "hono";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { ownerFor } from "../auth/callers.ts";
import type { Owner } from "../connections/connections.ts";
import { disconnect, statusView } from "../connections/status.ts";
import { NotConnectedError } from "../errors.ts";
import { rejectInvalid } from "../http/validate.ts";
import { changesPage, itemsPage } from "./api_pages.ts";
import { startAuthorization } from "../oauth/flow.ts";
import { PROVIDER_IDS } from "../providers/registry.ts";
import type { ActiveProvider } from "../providers/registry.ts";
import type { HubEnv, Services } from "../services.ts";
import type { Defer } from "../sync/service.ts";
import { EITHER_CALLER, errorResponses, jsonAnswer } from "./api_responses.ts";
import {
  authorizeSchema,
  changesPageSchema,
  changesQuerySchema,
  integrationsSchema,
  itemsPageSchema,
  itemsQuerySchema,
  ownerQuerySchema,
  providerParamsSchema,
  statusSchema,
} from "./api_schemas.ts";
import { apiRoute, providerAndOwner } from "./provider_route.ts";

const ownerOnly = { query: ownerQuerySchema, params: providerParamsSchema };

const routes = {
  list: createRoute({
    method: "get",
    path: "/",
    tags: ["Connections"],
    summary: "The three providers with their status",
    middleware: [apiRoute()],
    security: EITHER_CALLER,
    request: { query: ownerQuerySchema },
    responses: {
      200: jsonAnswer(integrationsSchema, "Every provider's status"),
      ...errorResponses(),
    },
  }),
  authorize: createRoute({
    method: "get",
    path: "/{provider}/authorize",
    tags: ["Connections"],
    summary: "Start connecting: the provider's consent URL",
    description:
      "A one-time state (128+ random bits, PKCE where the provider takes it) lives 10 minutes, bound to provider, user and org. Send the user to authorize_url; the provider returns them to /integrations/{provider}/oauth2callback.",
    middleware: [apiRoute()],
    security: EITHER_CALLER,
    request: ownerOnly,
    responses: {
      200: jsonAnswer(authorizeSchema, "Where to send the user"),
      ...errorResponses(404),
    },
  }),
  status: createRoute({
    method: "get",
    path: "/{provider}/status",
    tags: ["Connections"],
    summary: "One connection's status and its sync",
    middleware: [apiRoute()],
    security: EITHER_CALLER,
    request: ownerOnly,
    responses: { 200: jsonAnswer(statusSchema, "The status object"), ...errorResponses(404) },
  }),
  items: createRoute({
    method: "get",
    path: "/{provider}/items",
    tags: ["Items"],
    summary: "A page of items, filtered",
    description:
      "From the synced copy once it is complete (synced_at set), else live from the provider (synced_at null). Filters apply to the whole account; next_cursor continues the same filtered listing and opens only for the same caller, provider and filters.",
    middleware: [apiRoute()],
    security: EITHER_CALLER,
    request: { query: itemsQuerySchema, params: providerParamsSchema },
    responses: {
      200: jsonAnswer(itemsPageSchema, "A page of items"),
      ...errorResponses(404, 409, 502, 504),
    },
  }),
  sync: createRoute({
    method: "post",
    path: "/{provider}/sync",
    tags: ["Sync"],
    summary: "Bring the synced copy up to date now",
    description:
      "Starts a sync, or one more right after the running one (requests coalesce). Answers at once with the status object.",
    middleware: [apiRoute()],
    security: EITHER_CALLER,
    request: ownerOnly,
    responses: {
      202: jsonAnswer(statusSchema, "The sync was requested; the status object"),
      ...errorResponses(404, 409),
    },
  }),
  changes: createRoute({
    method: "get",
    path: "/{provider}/changes",
    tags: ["Sync"],
    summary: "What changed in the synced copy",
    description:
      "Without since: every item in the copy, as upserts. With next_since of an earlier answer: what changed since, oldest first, each item once in its latest state. Follow next_since while has_more.",
    middleware: [apiRoute()],
    security: EITHER_CALLER,
    request: { query: changesQuerySchema, params: providerParamsSchema },
    responses: {
      200: jsonAnswer(changesPageSchema, "A page of changes"),
      ...errorResponses(404, 409, 410),
    },
  }),
  disconnect: createRoute({
    method: "delete",
    path: "/{provider}",
    tags: ["Connections"],
    summary: "Disconnect: revoke where the provider can, forget the tokens and the copy",
    middleware: [apiRoute()],
    security: EITHER_CALLER,
    request: ownerOnly,
    responses: {
      204: { description: "Gone (also when it was not connected)" },
      ...errorResponses(404),
    },
  }),
};

/** The JSON API under /integrations. */
export function integrationsApi(): OpenAPIHono<HubEnv> {
  const api = new OpenAPIHono<HubEnv>({ defaultHook: rejectInvalid });

  api.openapi(routes.list, async (c) => {
    const owner = ownerFor(c, c.req.valid("query"));
    return c.json({ integrations: await allStatuses(c.get("services"), owner) }, 200);
  });

  api.openapi(routes.authorize, async (c) => {
    const { provider, owner } = providerAndOwner(c, c.req.valid("query"));
    const sessionBound = c.get("caller")?.kind === "session";
    const url = await startAuthorization(c.get("services").oauth, provider, owner, {
      sessionBound,
    });
    return c.json({ authorize_url: url }, 200);
  });

  api.openapi(routes.status, async (c) => {
    const { provider, owner } = providerAndOwner(c, c.req.valid("query"));
    return c.json(await statusWithSync(c.get("services"), provider, owner), 200);
  });

  api.openapi(routes.items, async (c) => {
    const query = c.req.valid("query");
    const { provider, owner } = providerAndOwner(c, query);
    return c.json(await itemsPage(c.get("services"), provider, owner, query, c.get("log")), 200);
  });

  api.openapi(routes.sync, async (c) => {
    const { provider, owner } = providerAndOwner(c, c.req.valid("query"));
    return c.json(await requestSync(c.get("services"), provider, owner, deferTo(c)), 202);
  });

  api.openapi(routes.changes, async (c) => {
    const query = c.req.valid("query");
    const { provider, owner } = providerAndOwner(c, query);
    return c.json(await changesPage(c.get("services"), provider, owner, query), 200);
  });

  api.openapi(routes.disconnect, async (c) => {
    const { provider, owner } = providerAndOwner(c, c.req.valid("query"));
    await disconnect(c.get("services"), provider, owner);
    return c.body(null, 204);
  });

  return api;
}

async function allStatuses(services: Services, owner: Owner) {
  const found = await services.connections.getMany(PROVIDER_IDS, owner);
  const syncs = await services.sync.statuses(PROVIDER_IDS, owner);
  return PROVIDER_IDS.map((id, i) => ({ ...statusView(id, found[i]), sync: syncs[i] }));
}

async function statusWithSync(services: Services, provider: ActiveProvider, owner: Owner) {
  const connection = await services.connections.get(provider.spec.id, owner);
  const sync = await services.sync.status(provider.spec.id, owner);
  return { ...statusView(provider.spec.id, connection), sync };
}

async function requestSync(
  services: Services,
  provider: ActiveProvider,
  owner: Owner,
  defer: Defer,
) {
  const connection = await services.connections.get(provider.spec.id, owner);
  if (connection === null) {
    throw new NotConnectedError(
      `${provider.spec.displayName} is not connected for this user; connect it first.`,
    );
  }
  const sync = await services.sync.request(provider, owner, defer);
  return { ...statusView(provider.spec.id, connection), sync };
}

/** Background work outlives the answer: on Workers through waitUntil, on Deno by itself. */
export function deferTo(c: Context<HubEnv>): Defer {
  return (work) => {
    try {
      c.executionCtx.waitUntil(work);
    } catch {
      // No execution context (Deno): the promise runs on in this process.
    }
  };
}
