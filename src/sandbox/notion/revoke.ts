/** Notion's revoke and introspect endpoints, emulated (HTTP Basic, `{token}` bodies). */
import { Hono } from "hono";
import { z } from "zod";
import { checkClient } from "./client_check.ts";
import { notionError, requestId } from "./errors.ts";
import type { Grant } from "../oauth_server.ts";
import type { NotionState } from "./state.ts";

const tokenOnlySchema = z.object({ token: z.string().min(1).max(500) });
const MISSING_TOKEN = "body failed validation: body.token should be defined.";

export function notionRevoke(state: NotionState): Hono {
  const app = new Hono();

  /** The connection a token (access or refresh) belongs to, while it is alive. */
  async function liveGrant(token: string): Promise<Grant | null> {
    return await state.oauth.liveGrant("refresh", token) ??
      await state.oauth.liveGrant("access", token) ?? null;
  }

  /** Revoking either token ends the whole connection; an unknown token is not an error. */
  app.post("/v1/oauth/revoke", async (c) => {
    const checked = await checkClient(state, c);
    if (checked instanceof Response) return checked;
    const parsed = tokenOnlySchema.safeParse(checked);
    if (!parsed.success) return notionError(c, 400, "validation_error", MISSING_TOKEN);
    const grant = await liveGrant(parsed.data.token);
    if (grant !== null) {
      await state.oauth.revoke(grant);
      state.counters.revocations++;
    }
    return c.json({ request_id: requestId() });
  });

  app.post("/v1/oauth/introspect", async (c) => {
    const checked = await checkClient(state, c);
    if (checked instanceof Response) return checked;
    const parsed = tokenOnlySchema.safeParse(checked);
    if (!parsed.success) return notionError(c, 400, "validation_error", MISSING_TOKEN);
    const grant = await liveGrant(parsed.data.token);
    if (grant === null) return c.json({ active: false, request_id: requestId() });
    return c.json({
      active: true,
      scope: "read_content read_user_with_email",
      iat: Math.floor(grant.issuedAt / 1000),
      request_id: requestId(),
    });
  });

  return app;
}
