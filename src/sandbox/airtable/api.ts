/**
 * Airtable's Web API, emulated: bearer tokens, whoami, the bases list (offset paging), base
 * schemas; the records endpoints are in records.ts. Every request counts against its token's
 * limit and, when it names a base, the base's (rate_limit.ts).
 */
import { Hono } from "hono";
import { type ApiEnv, invalidOffset, reachBase } from "./access.ts";
import type { AirtableTable } from "./data.ts";
import {
  authenticationRequired,
  faultResponse,
  invalidPermissions,
  rateLimited,
} from "./errors.ts";
import { registerRecords } from "./records.ts";
import { type AirtableState, liveAuthorization, pause, randomId } from "./state.ts";

const BASES_OFFSET = /^itr[A-Za-z0-9]{14}\/(app[A-Za-z0-9]{14})$/;
/** `/v0/meta/bases/{baseId}/...` or `/v0/{baseId}/...`. */
const BASE_PATH = /\/v0\/(?:meta\/bases\/)?(app[A-Za-z0-9]+)(?:\/|$)/;

/** The sandbox's base a request names, if any: only those count against a base's limit. */
function baseInPath(state: AirtableState, path: string): string | null {
  const id = BASE_PATH.exec(path)?.[1];
  return state.bases.some((b) => b.id === id) ? id! : null;
}

export function airtableApi(state: AirtableState): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  app.use("/v0/*", async (c, next) => {
    state.counters.apiCalls++;
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("Authorization") ?? "")?.[1];
    // Counted on arrival, as Airtable counts, before the time the answer takes.
    const admitted = bearer === undefined ||
      await state.limiter.admit(baseInPath(state, c.req.path), bearer);
    await pause(state.latencyMs);
    const fault = state.faults.api.shift();
    if (fault) {
      await pause(fault.delayMs ?? 0, c.req.raw);
      return faultResponse(fault);
    }
    const authorization = bearer === undefined
      ? undefined
      : await liveAuthorization(state, "accessTokens", bearer);
    if (authorization === undefined) return authenticationRequired();
    if (!admitted) return rateLimited();
    c.set("scopes", authorization.scopes);
    await next();
  });

  app.get("/v0/meta/whoami", (c) => {
    const scopes = c.get("scopes");
    return c.json({
      id: state.user.id,
      scopes,
      ...(scopes.includes("user.email:read") ? { email: state.user.email } : {}),
    });
  });

  app.get("/v0/meta/bases", (c) => {
    if (!c.get("scopes").includes("schema.bases:read")) return invalidPermissions();
    const offset = c.req.query("offset");
    let start = 0;
    if (offset !== undefined) {
      const baseId = BASES_OFFSET.exec(offset)?.[1];
      start = state.bases.findIndex((b) => b.id === baseId);
      if (start < 0) return invalidOffset(offset);
    }
    const page = state.bases.slice(start, start + state.basesPageSize);
    const following = state.bases[start + page.length];
    return c.json({
      bases: page.map((b) => ({ id: b.id, name: b.name, permissionLevel: b.permissionLevel })),
      ...(following ? { offset: `${randomId("itr", 14)}/${following.id}` } : {}),
    });
  });

  app.get("/v0/meta/bases/:baseId/tables", (c) => {
    const base = reachBase(state, c, "schema.bases:read");
    if (base instanceof Response) return base;
    const include = [...(c.req.queries("include") ?? []), ...(c.req.queries("include[]") ?? [])];
    const visible = include.includes("visibleFieldIds");
    return c.json({ tables: base.tables.map((t) => tableSchema(t, visible)) });
  });

  registerRecords(app, state);
  return app;
}

function tableSchema(table: AirtableTable, visibleFieldIds: boolean) {
  return {
    id: table.id,
    name: table.name,
    ...(table.description === undefined ? {} : { description: table.description }),
    primaryFieldId: table.primaryFieldId,
    fields: table.fields,
    views: table.views.map((v) =>
      visibleFieldIds ? { ...v, visibleFieldIds: table.fields.map((f) => f.id) } : v
    ),
  };
}
