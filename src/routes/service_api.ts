import { Hono } from "hono";
import { z } from "zod";
import { mintConnectLink } from "../auth/connect_links.ts";
import { idSchema } from "../auth/identity.ts";
import { InvalidRequestError, UnauthenticatedError } from "../errors.ts";
import { limitBody, SMALL_BODY_BYTES } from "../http/body_limit.ts";
import { parseInput } from "../http/validate.ts";
import type { HubEnv } from "../services.ts";

const sessionRequestSchema = z.object({ user_id: idSchema, org_id: idSchema });

/** /health and POST /api/sessions. */
export function serviceApi(): Hono<HubEnv> {
  const api = new Hono<HubEnv>();

  api.get("/health", async (c) => {
    const { store } = c.get("services");
    try {
      await store.ping();
      return c.json({ ok: true, store: store.kind });
    } catch {
      return c.json({
        ok: false,
        store: store.kind,
        error: { code: "store_unavailable", message: "The store did not answer." },
      }, 503);
    }
  });

  api.post("/api/sessions", limitBody(SMALL_BODY_BYTES), async (c) => {
    const { store, config, clock } = c.get("services");
    if (c.get("caller")?.kind !== "api_key") {
      throw new UnauthenticatedError(
        'Connect links are minted by programs: call with "Authorization: Bearer <API key>".',
      );
    }
    const body = await c.req.json().catch(() => {
      throw new InvalidRequestError(
        'Invalid request. The body must be JSON: {"user_id","org_id"}.',
      );
    });
    const { user_id, org_id } = parseInput(sessionRequestSchema, body);
    const link = await mintConnectLink(store, { userId: user_id, orgId: org_id }, clock());
    return c.json({
      url: `${config.appUrl}/connect/${link.token}`,
      expires_at: new Date(link.expiresAt).toISOString(),
    }, 201);
  });

  return api;
}
