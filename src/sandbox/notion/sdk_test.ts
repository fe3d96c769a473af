/**
 * The Notion sandbox checked against code no one here wrote: Notion's official JS SDK (v4,
 * whose types and default version are 2022-06-28), over real HTTP.
 */
import assert from "node:assert/strict";
import {
  APIErrorCode,
  APIResponseError,
  Client,
  collectPaginatedAPI,
  isFullDatabase,
  isFullPage,
  iteratePaginatedAPI,
  UnknownHTTPResponseError,
} from "@notionhq/client";
import { NOTION_VERSION } from "../../providers/notion.ts";
import { titleOf } from "./data.ts";
import {
  authorize,
  CLIENT_ID,
  CLIENT_SECRET,
  REDIRECT,
  serve,
  type Served,
} from "../../testing/sandboxes/notion.ts";

/** The SDK warns on every failed request; the failures here are on purpose. */
const quiet = () => {};

/** The SDK's own oauth.token helper does the code exchange (Basic auth, JSON, version). */
async function sdkConnect(s: Served) {
  const back = await authorize(s, "approve");
  const oauthClient = new Client({ baseUrl: s.url, notionVersion: NOTION_VERSION, logger: quiet });
  return await oauthClient.oauth.token({
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    grant_type: "authorization_code",
    code: back.searchParams.get("code")!,
    redirect_uri: REDIRECT,
  });
}

const client = (s: Served, auth: string) =>
  new Client({ auth, baseUrl: s.url, notionVersion: NOTION_VERSION, logger: quiet });

Deno.test("the official SDK connects and pages through every page and database", async () => {
  const s = serve({ rateLimit: { requestsPerSecond: 100, retryAfterSeconds: 1 } });
  try {
    const tokens = await sdkConnect(s);
    assert.equal(tokens.token_type, "bearer");
    assert.equal(typeof tokens.refresh_token, "string");
    assert.equal(tokens.workspace_name, s.control.data.workspace.name);
    const notion = client(s, tokens.access_token);

    const seen = [];
    for await (const result of iteratePaginatedAPI(notion.search, { page_size: 100 })) {
      seen.push(result);
    }
    const expected = s.control.searchable();
    assert.ok(expected.length > 140);
    assert.deepEqual(seen.map((r) => r.id).sort(), expected.map((o) => o.id).sort());
    assert.ok(seen.every((r) => isFullPage(r) || isFullDatabase(r)));
    const byId = new Map(expected.map((o) => [o.id, o]));
    for (const result of seen) {
      if (isFullPage(result)) {
        const title = Object.values(result.properties).find((p) => p.type === "title");
        assert.ok(title?.type === "title");
        const text = title.title.map((t) => t.plain_text).join("");
        assert.equal(text, titleOf(byId.get(result.id)!));
      }
    }

    const databases = await collectPaginatedAPI(notion.search, {
      filter: { property: "object", value: "database" },
      sort: { timestamp: "last_edited_time", direction: "ascending" },
      page_size: 2,
    });
    const expectedDbs = expected.filter((o) => o.object === "database");
    assert.equal(databases.length, expectedDbs.length);
    assert.ok(databases.every(isFullDatabase));
    const times = databases.map((d) => isFullDatabase(d) ? d.last_edited_time : "");
    assert.deepEqual(times, [...times].sort());

    const me = await notion.users.me({});
    assert.equal(me.type, "bot");
    assert.equal(me.id, tokens.bot_id);
  } finally {
    await s.close();
  }
});

Deno.test("the official SDK refreshes, introspects and revokes, and reads Notion's errors", async () => {
  const s = serve({ rateLimit: { requestsPerSecond: 2, retryAfterSeconds: 3 } });
  try {
    const first = await sdkConnect(s);
    const oauthClient = new Client({
      baseUrl: s.url,
      notionVersion: NOTION_VERSION,
      logger: quiet,
    });
    const refreshed = await oauthClient.oauth.token({
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      grant_type: "refresh_token",
      refresh_token: first.refresh_token!,
    });
    assert.notEqual(refreshed.refresh_token, first.refresh_token);
    assert.equal(refreshed.bot_id, first.bot_id);

    const old = await client(s, first.access_token).search({}).catch((e: unknown) => e);
    assert.ok(APIResponseError.isAPIResponseError(old));
    assert.equal(old.code, APIErrorCode.Unauthorized);
    assert.equal(old.status, 401);
    assert.equal(s.control.counters.rotatedAccessTokenUses, 1);

    const reused = await oauthClient.oauth.token({
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      grant_type: "refresh_token",
      refresh_token: first.refresh_token!,
    }).catch((e: unknown) => e);
    // SDK v4 has no invalid_grant in its error codes: it keeps the status and the raw body.
    assert.ok(UnknownHTTPResponseError.isUnknownHTTPResponseError(reused));
    assert.equal(reused.status, 400);
    assert.equal(JSON.parse(reused.body).code, "invalid_grant");

    const notion = client(s, refreshed.access_token);
    const burst = await Promise.allSettled([1, 2, 3, 4].map(() => notion.search({ page_size: 1 })));
    const limited = burst.flatMap((r) => r.status === "rejected" ? [r.reason] : []);
    assert.ok(limited.length >= 1);
    for (const error of limited) {
      assert.ok(APIResponseError.isAPIResponseError(error));
      assert.equal(error.code, APIErrorCode.RateLimited);
      assert.equal((error.headers as Headers).get("retry-after"), "3");
    }

    const credentials = { client_id: CLIENT_ID, client_secret: CLIENT_SECRET };
    const active = await oauthClient.oauth.introspect({
      ...credentials,
      token: refreshed.access_token,
    });
    assert.equal(active.active, true);
    await oauthClient.oauth.revoke({ ...credentials, token: refreshed.access_token });
    const after = await oauthClient.oauth.introspect({
      ...credentials,
      token: refreshed.access_token,
    });
    assert.equal(after.active, false);
  } finally {
    await s.close();
  }
});
