import { type Context, Hono } from "hono";
import { z } from "zod";
import { ownerFor } from "../auth/callers.ts";
import { ownerFieldsSchema } from "../auth/identity.ts";
import type { Owner } from "../connections/connections.ts";
import { disconnect, statusView } from "../connections/status.ts";
import { InvalidRequestError, NotConnectedError } from "../errors.ts";
import { parseInput } from "../http/validate.ts";
import { startAuthorization } from "../oauth/flow.ts";
import { PROVIDER_IDS } from "../providers/ids.ts";
import { type ActiveProvider, resolveProvider } from "../providers/registry.ts";
import type { HubEnv, Services } from "../services.ts";
import type { CopyFilters } from "../sync/copy.ts";
import type { Defer } from "../sync/service.ts";

const limitSchema = z.coerce.number({ error: "must be a whole number" }).int(
  "must be a whole number",
).min(1, "at least 1").max(1000, "at most 1000");

const itemsQuerySchema = ownerFieldsSchema.extend({
  limit: limitSchema.optional(),
  cursor: z.string().min(1).max(20_000, "too long").optional(),
  type: z.string().max(200).optional(),
  q: z.string().min(1, "1 to 200 characters").max(200, "1 to 200 characters").optional(),
  modified_after: z.iso.datetime({ offset: true, error: "an ISO-8601 date and time" })
    .optional(),
});

const changesQuerySchema = ownerFieldsSchema.extend({
  since: z.string().min(1).max(2000, "too long").optional(),
  limit: limitSchema.default(1000),
});

/** The JSON API under /integrations. */
export function integrationsApi(): Hono<HubEnv> {
  const api = new Hono<HubEnv>();

  api.get("/", async (c) => {
    const services = c.get("services");
    const owner = ownerFor(c, parseInput(ownerFieldsSchema, c.req.query()));
    const found = await services.connections.getMany(PROVIDER_IDS, owner);
    const syncs = await Promise.all(PROVIDER_IDS.map((id) => services.sync.status(id, owner)));
    return c.json({
      integrations: PROVIDER_IDS.map((id, i) => ({ ...statusView(id, found[i]), sync: syncs[i] })),
    });
  });

  api.get("/:provider/authorize", async (c) => {
    const services = c.get("services");
    const provider = resolveProvider(services, c.req.param("provider"));
    const owner = ownerFor(c, parseInput(ownerFieldsSchema, c.req.query()));
    const sessionBound = c.get("caller")?.kind === "session";
    const url = await startAuthorization(services.oauth, provider, owner, { sessionBound });
    return c.json({ authorize_url: url });
  });

  api.get("/:provider/status", async (c) => {
    const services = c.get("services");
    const provider = resolveProvider(services, c.req.param("provider"));
    const owner = ownerFor(c, parseInput(ownerFieldsSchema, c.req.query()));
    return c.json(await statusWithSync(services, provider, owner));
  });

  api.get("/:provider/items", async (c) => {
    const services = c.get("services");
    const provider = resolveProvider(services, c.req.param("provider"));
    const query = parseInput(itemsQuerySchema, c.req.query());
    const owner = ownerFor(c, query);
    const page = await services.sync.list(provider, owner, {
      limit: query.limit ?? null,
      cursor: query.cursor ?? null,
      filters: filtersFrom(c, provider, query),
    }, c.get("log"));
    return c.json(page);
  });

  api.post("/:provider/sync", async (c) => {
    const services = c.get("services");
    const provider = resolveProvider(services, c.req.param("provider"));
    const owner = ownerFor(c, parseInput(ownerFieldsSchema, c.req.query()));
    const connection = await services.connections.get(provider.spec.id, owner);
    if (connection === null) {
      throw new NotConnectedError(
        `${provider.spec.displayName} is not connected for this user; connect it first.`,
      );
    }
    const sync = await services.sync.request(provider, owner, deferTo(c));
    return c.json({ ...statusView(provider.spec.id, connection), sync }, 202);
  });

  api.get("/:provider/changes", async (c) => {
    const services = c.get("services");
    const provider = resolveProvider(services, c.req.param("provider"));
    const query = parseInput(changesQuerySchema, c.req.query());
    const owner = ownerFor(c, query);
    return c.json(
      await services.sync.changes(provider, owner, {
        since: query.since ?? null,
        limit: query.limit,
      }),
    );
  });

  api.delete("/:provider", async (c) => {
    const services = c.get("services");
    const provider = resolveProvider(services, c.req.param("provider"));
    const owner = ownerFor(c, parseInput(ownerFieldsSchema, c.req.query()));
    await disconnect(services, provider, owner);
    return c.body(null, 204);
  });

  return api;
}

async function statusWithSync(services: Services, provider: ActiveProvider, owner: Owner) {
  const connection = await services.connections.get(provider.spec.id, owner);
  const sync = await services.sync.status(provider.spec.id, owner);
  return { ...statusView(provider.spec.id, connection), sync };
}

/** `type` may repeat or hold a comma-separated list; each must be one of the provider's. */
function filtersFrom(
  c: Context<HubEnv>,
  provider: ActiveProvider,
  query: { q?: string; modified_after?: string },
): CopyFilters {
  const types = (c.req.queries("type") ?? []).flatMap((v) => v.split(",")).map((t) => t.trim())
    .filter((t) => t !== "");
  const unknown = types.filter((t) => !provider.spec.itemTypes.includes(t));
  if (unknown.length > 0) {
    throw new InvalidRequestError(
      `Invalid request. type: ${unknown[0].slice(0, 40)} is not one of ${
        provider.spec.itemTypes.join(", ")
      }.`,
    );
  }
  return {
    types,
    q: query.q?.toLowerCase() ?? "",
    modifiedAfter: query.modified_after === undefined ? null : Date.parse(query.modified_after),
  };
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
