/** Notion's token endpoint, emulated: codes, redirect_uri rules, rotation, no expires_in. */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { countTokenCall, type IssuedTokens } from "../oauth_server.ts";
import { checkClient, readBody } from "./client_check.ts";
import { notionError, requestId } from "./errors.ts";
import type { NotionState } from "./state.ts";

const tokenSchema = z.discriminatedUnion("grant_type", [
  z.object({
    grant_type: z.literal("authorization_code"),
    code: z.string().min(1).max(500),
    redirect_uri: z.string().max(2000).optional(),
  }),
  z.object({ grant_type: z.literal("refresh_token"), refresh_token: z.string().min(1).max(500) }),
]);

export function notionTokens(state: NotionState): Hono {
  const app = new Hono();

  app.post("/v1/oauth/token", async (c) => {
    // Hono caches the body, so reading it here and again in checkClient is safe.
    countTokenCall(state.counters, (await readBody(c))?.grant_type);
    const checked = await checkClient(state, c);
    if (checked instanceof Response) return checked;
    const parsed = tokenSchema.safeParse(checked);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return notionError(
        c,
        400,
        "invalid_request",
        `body failed validation: body.${issue.path.join(".") || "grant_type"} ${issue.message}`,
      );
    }
    const request = parsed.data;
    if (request.grant_type === "refresh_token") return refresh(c, request.refresh_token);

    const pending = await state.oauth.takeCode(request.code);
    if (pending === undefined) {
      return notionError(c, 400, "invalid_grant", "Invalid code: this code has been revoked.");
    }
    if (pending.expiresAt <= state.clock()) {
      return notionError(c, 400, "invalid_grant", "Invalid code: this code has expired.");
    }
    if (pending.redirectUri === null && request.redirect_uri !== undefined) {
      return notionError(
        c,
        400,
        "invalid_request",
        "redirect_uri is not allowed: it was not in the authorization URL.",
      );
    }
    if (pending.redirectUri !== null && request.redirect_uri === undefined) {
      return notionError(
        c,
        400,
        "invalid_request",
        "redirect_uri is required: it was in the authorization URL.",
      );
    }
    if (pending.redirectUri !== null && pending.redirectUri !== request.redirect_uri) {
      return notionError(
        c,
        400,
        "invalid_grant",
        "Invalid redirect_uri: it does not match the authorization request.",
      );
    }
    return c.json(tokenAnswer(await state.oauth.exchange(pending)));
  });

  /** Rotation: the first use of a live refresh token replaces both tokens; any later use fails. */
  async function refresh(c: Context, refreshToken: string): Promise<Response> {
    const issued = await state.oauth.refresh(refreshToken);
    if (issued === null) return notionError(c, 400, "invalid_grant", "Invalid refresh token.");
    return c.json(tokenAnswer(issued));
  }

  /** The documented answer; legacy grants answer the older shape without refresh fields. */
  function tokenAnswer(tokens: IssuedTokens): Record<string, unknown> {
    const { workspace, owner } = state.data;
    return {
      access_token: tokens.accessToken,
      ...(state.issueRefreshTokens
        ? { token_type: "bearer", refresh_token: tokens.refreshToken }
        : {}),
      bot_id: tokens.grant.id,
      workspace_id: workspace.id,
      workspace_name: workspace.name,
      workspace_icon: workspace.icon,
      owner: { type: "user", user: owner },
      duplicated_template_id: null,
      request_id: requestId(),
    };
  }

  return app;
}
