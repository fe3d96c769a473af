/** Airtable's Web API, emulated: whoami, bases, base schema, records; per-base limits. */
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AirtableRecord } from "./data.ts";
import type { AirtableState } from "./state.ts";
import { randomToken } from "../hubspot/state.ts";

const recordsQuery = z.object({
  pageSize: z.coerce.number().int().min(1).max(100).default(100),
  offset: z.string().max(200).optional(),
  returnFieldsByFieldId: z.enum(["true", "false"]).default("false"),
});

const AUTH_REQUIRED = {
  error: { type: "AUTHENTICATION_REQUIRED", message: "Authentication required" },
};
const NOT_FOUND = {
  error: {
    type: "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND",
    message:
      "Invalid permissions, or the requested model was not found. Check that both your user and your token have the required permissions, and that the model names and/or ids are correct.",
  },
};
const RATE_LIMITED = {
  errors: [{ error: "RATE_LIMIT_REACHED", message: "Rate limit exceeded. Please try again later" }],
};

export function airtableApi(state: AirtableState): Hono {
  const app = new Hono();

  app.use("/v0/*", async (c, next) => {
    state.counters.apiCalls++;
    if (state.latencyMs > 0) await new Promise((r) => setTimeout(r, state.latencyMs));
    const fault = state.faults.api.shift();
    if (fault) return c.json(fault.body as object, fault.status as 400, fault.headers);
    const bearer = /^Bearer (.+)$/.exec(c.req.header("Authorization") ?? "")?.[1] ?? "";
    const token = state.accessTokens.get(bearer);
    if (!token || !token.grant.alive || token.expiresAt <= state.clock()) {
      return c.json(AUTH_REQUIRED, 401);
    }
    await next();
  });

  /** 5 requests per second per base; over it, 429 for the whole penalty. */
  function limited(c: Context, baseId: string): Response | null {
    const now = state.clock();
    const entry = state.baseCalls.get(baseId) ?? { times: [], blockedUntil: 0 };
    state.baseCalls.set(baseId, entry);
    entry.times = entry.times.filter((t) => t > now - 1000);
    entry.times.push(now);
    const stats = state.counters.perBase[baseId] ??= { requests: 0, maxPerSecond: 0 };
    stats.requests++;
    stats.maxPerSecond = Math.max(stats.maxPerSecond, entry.times.length);
    if (entry.blockedUntil > now || entry.times.length > state.rateLimit.perBasePerSecond) {
      if (entry.blockedUntil <= now) entry.blockedUntil = now + state.rateLimit.penaltyMs;
      state.counters.rateLimited++;
      return c.json(RATE_LIMITED, 429);
    }
    return null;
  }

  app.get(
    "/v0/meta/whoami",
    (c) => c.json({ id: "usrSandboxUser001", scopes: ["data.records:read", "schema.bases:read"] }),
  );

  app.get("/v0/meta/bases", (c) => {
    const start = Number(c.req.query("offset")?.split("/")[1] ?? 0);
    if (!Number.isInteger(start) || start < 0) {
      return c.json({ error: { type: "INVALID_OFFSET_VALUE", message: "Invalid offset" } }, 422);
    }
    const page = state.bases.slice(start, start + state.basesPageSize);
    const next = start + page.length;
    return c.json({
      bases: page.map((b) => ({ id: b.id, name: b.name, permissionLevel: b.permissionLevel })),
      ...(next < state.bases.length ? { offset: `itr${randomToken("", 6)}/${next}` } : {}),
    });
  });

  app.get("/v0/meta/bases/:baseId/tables", (c) => {
    const base = state.bases.find((b) => b.id === c.req.param("baseId"));
    if (!base) return c.json(NOT_FOUND, 403);
    const refused = limited(c, base.id);
    if (refused) return refused;
    return c.json({
      tables: base.tables.map((t) => ({
        id: t.id,
        name: t.name,
        primaryFieldId: t.primaryFieldId,
        fields: t.fields,
        views: [{ id: `viw${t.id.slice(3)}`, name: "Grid view", type: "grid" }],
      })),
    });
  });

  app.get("/v0/:baseId/:table", (c) => {
    const base = state.bases.find((b) => b.id === c.req.param("baseId"));
    if (!base) return c.json(NOT_FOUND, 403);
    const refused = limited(c, base.id);
    if (refused) return refused;
    const key = c.req.param("table");
    const table = base.tables.find((t) => t.id === key || t.name === key);
    if (!table) return c.json(NOT_FOUND, 404);
    const query = recordsQuery.safeParse(c.req.query());
    if (!query.success) {
      return c.json({
        error: {
          type: "INVALID_REQUEST_UNKNOWN",
          message: "Invalid request: parameter validation failed.",
        },
      }, 422);
    }
    const { pageSize, offset, returnFieldsByFieldId } = query.data;
    let start = 0;
    if (offset !== undefined) {
      const iterator = state.iterators.get(offset);
      if (!iterator) return c.json({ error: { type: "INVALID_OFFSET_VALUE" } }, 422);
      if (iterator.expired) {
        return c.json({ error: { type: "LIST_RECORDS_ITERATOR_NOT_AVAILABLE" } }, 422);
      }
      start = table.records.findIndex((r) => r.id === offset.split("/")[1]);
      if (start < 0) return c.json({ error: { type: "INVALID_OFFSET_VALUE" } }, 422);
    }
    const page = table.records.slice(start, start + pageSize);
    const following = table.records[start + pageSize];
    let nextOffset: string | undefined;
    if (following) {
      nextOffset = `itr${randomToken("", 8)}/${following.id}`;
      state.iterators.set(nextOffset, { expired: false });
    }
    const byName = returnFieldsByFieldId === "false";
    return c.json({
      records: page.map((r) => present(r, byName ? table.fields : null)),
      ...(nextOffset ? { offset: nextOffset } : {}),
    });
  });

  return app;
}

function present(record: AirtableRecord, fields: { id: string; name: string }[] | null) {
  if (fields === null) return record;
  const named: Record<string, unknown> = {};
  for (const field of fields) {
    if (field.id in record.fields) named[field.name] = record.fields[field.id];
  }
  return { id: record.id, createdTime: record.createdTime, fields: named };
}
