import { Hono } from "hono";
import { z } from "zod";
import { ownerFor } from "../auth/callers.ts";
import { ownerFieldsSchema } from "../auth/identity.ts";
import { disconnect, statusView } from "../connections/status.ts";
import { parseInput } from "../http/validate.ts";
import { startAuthorization } from "../oauth/flow.ts";
import { PROVIDER_IDS } from "../providers/ids.ts";
import { resolveProvider } from "../providers/registry.ts";
import type { HubEnv } from "../services.ts";

const itemsQuerySchema = ownerFieldsSchema.extend({
  limit: z.coerce.number({ error: "must be a whole number" }).int("must be a whole number")
    .min(1, "at least 1").max(1000, "at most 1000").optional(),
  cursor: z.string().min(1).max(20_000, "too long").optional(),
});

/** The JSON API under /integrations. */
export function integrationsApi(): Hono<HubEnv> {
  const api = new Hono<HubEnv>();

  api.get("/", async (c) => {
    const { connections } = c.get("services");
    const owner = ownerFor(c, parseInput(ownerFieldsSchema, c.req.query()));
    const found = await connections.getMany(PROVIDER_IDS, owner);
    return c.json({ integrations: PROVIDER_IDS.map((id, i) => statusView(id, found[i])) });
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
    const connection = await services.connections.get(provider.spec.id, owner);
    return c.json(statusView(provider.spec.id, connection));
  });

  api.get("/:provider/items", async (c) => {
    const services = c.get("services");
    const provider = resolveProvider(services, c.req.param("provider"));
    const query = parseInput(itemsQuerySchema, c.req.query());
    const owner = ownerFor(c, query);
    const page = await services.items.list(provider, owner, {
      limit: query.limit ?? null,
      cursor: query.cursor ?? null,
    }, c.get("log"));
    return c.json(page);
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
