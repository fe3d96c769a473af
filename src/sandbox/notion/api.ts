/** Notion's API, emulated: version header, bearer tokens, per-connection limits, search. */
import { type Context, Hono } from "hono";
import { parseJson } from "../../json.ts";
import { search, searchBodySchema, validationMessage } from "./search.ts";
import { faultResponse, notionError, requestId } from "./errors.ts";
import { type Grant, type NotionState, sleep, SUPPORTED_VERSIONS, tokenState } from "./state.ts";

export function notionApi(state: NotionState): Hono {
  const app = new Hono();

  /**
   * What every API request goes through, in Notion's order: the version header, the token,
   * then the connection's rate limit. Returns the grant, or the refusal to send.
   */
  async function admit(c: Context): Promise<Grant | Response> {
    state.counters.apiCalls++;
    if (state.latencyMs > 0) await sleep(state.latencyMs);
    const fault = state.faults.api.shift();
    if (fault) return faultResponse(c, fault);
    const version = c.req.header("Notion-Version");
    if (version === undefined) {
      return notionError(
        c,
        400,
        "missing_version",
        "Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.",
      );
    }
    if (!SUPPORTED_VERSIONS.includes(version)) {
      return notionError(
        c,
        400,
        "validation_error",
        `Notion-Version ${version.slice(0, 40)} is not served by this sandbox; use 2022-06-28.`,
      );
    }
    const bearer = /^Bearer (.+)$/.exec(c.req.header("Authorization") ?? "")?.[1] ?? "";
    const found = await tokenState(state, "accessTokens", bearer);
    if (found.state !== "live" || found.grant === undefined) {
      if (found.state === "rotated") state.counters.rotatedAccessTokenUses++;
      return notionError(c, 401, "unauthorized", "API token is invalid.");
    }
    if (!(await withinLimit(found.grant))) {
      state.counters.rateLimited++;
      return notionError(c, 429, "rate_limited", undefined, {
        "Retry-After": String(state.rateLimit.retryAfterSeconds),
      });
    }
    return found.grant;
  }

  /** At most `requestsPerSecond` per connection in any one second, across processes. */
  async function withinLimit(grant: Grant): Promise<boolean> {
    const limit = {
      name: "connection",
      requests: state.rateLimit.requestsPerSecond,
      windowMs: 1000,
    };
    return (await state.rates.take([{ limit, id: grant.botId }])).allowed;
  }

  app.get("/v1/users/me", async (c) => {
    const grant = await admit(c);
    if (grant instanceof Response) return grant;
    const { workspace, owner } = state.data;
    return c.json({
      object: "user",
      id: grant.botId,
      name: "Integrations hub (sandbox)",
      avatar_url: null,
      type: "bot",
      bot: { owner: { type: "user", user: owner }, workspace_name: workspace.name },
      request_id: requestId(),
    });
  });

  app.post("/v1/search", async (c) => {
    state.counters.searchCalls++;
    const grant = await admit(c);
    if (grant instanceof Response) return grant;
    const raw = await c.req.text().catch(() => "");
    const data = raw.trim() === "" ? {} : parseJson(raw);
    if (data === undefined) return notionError(c, 400, "invalid_json", "Error parsing JSON body.");
    const body = searchBodySchema.safeParse(data);
    if (!body.success) {
      return notionError(c, 400, "validation_error", validationMessage(body.error));
    }
    const answer = await search(state, grant.botId, body.data);
    if (answer === null) {
      return notionError(
        c,
        400,
        "validation_error",
        "body failed validation: body.start_cursor should be a valid cursor returned by this query.",
      );
    }
    return c.json({ ...answer, request_id: requestId() });
  });

  return app;
}
