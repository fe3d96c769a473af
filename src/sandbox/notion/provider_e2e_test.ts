/**
 * The Notion provider module end to end against the sandbox over real HTTP, through the hub's
 * own pieces: the generic token client, the token keeper, ProviderApiClient (pacing,
 * Retry-After, refresh on 401) and runChains, then finishItems. Results are compared with the
 * seeded workspace.
 */
import assert from "node:assert/strict";
import { type Connection, Connections } from "../../connections/connections.ts";
import { TokenKeeper } from "../../connections/token_keeper.ts";
import { connectionFrom } from "../../oauth/flow.ts";
import { Sealer } from "../../crypto/sealer.ts";
import { ProviderError, ReconnectRequiredError } from "../../errors.ts";
import { runChains } from "../../items/chains.ts";
import type { IntegrationItem } from "../../items/item.ts";
import { ProviderApiClient } from "../../items/provider_api.ts";
import { RateLimiter } from "../../items/rate_limiter.ts";
import { requestToken } from "../../connections/token_client.ts";
import { buildAuthorizationUrl } from "../../oauth/authorize_url.ts";
import { notion } from "../../providers/notion.ts";
import type { ActiveProvider, ProviderApp } from "../../providers/registry.ts";
import type { ChainPosition } from "../../providers/spec.ts";
import { createKvStore } from "../../store/kv_store.ts";
import { decideOnConsent } from "../../testing/browser.ts";
import { type NotionObject, titleOf } from "./data.ts";
import type { NotionSandboxOptions } from "./sandbox.ts";
import { CLIENT_ID, CLIENT_SECRET, REDIRECT, serve, type Served } from "./testing.ts";

const owner = { userId: "dana", orgId: "acme" };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function providerFor(s: Served, clientSecret = CLIENT_SECRET): ActiveProvider {
  const app: ProviderApp = {
    clientId: CLIENT_ID,
    clientSecret,
    redirectUri: REDIRECT,
    authorizeUrl: `${s.url}/v1/oauth/authorize`,
    tokenUrl: `${s.url}/v1/oauth/token`,
    apiUrl: s.url,
    sandbox: true,
    fetch,
  };
  return { spec: notion, app };
}

/** The hub's half of the flow: its authorization URL, consent, its code exchange. */
async function hubConnect(provider: ActiveProvider): Promise<Connection> {
  const url = buildAuthorizationUrl(notion.oauth, provider.app, "state-123", null);
  assert.equal(url.searchParams.get("owner"), "user");
  assert.equal(url.searchParams.get("scope"), null);
  const back = await decideOnConsent(url, "approve");
  const code = back.searchParams.get("code")!;
  const response = await requestToken(notion.oauth, provider.app, {
    grantType: "authorization_code",
    code,
    codeVerifier: null,
  });
  return await connectionFrom(provider, owner, response, Date.now());
}

/** A hub-side listing session: stored connection, keeper, pacer and API client. */
async function session(options: Partial<NotionSandboxOptions> = {}) {
  const s = serve(options);
  const kv = await Deno.openKv(":memory:");
  const store = createKvStore(kv);
  const connections = new Connections(store, new Sealer([{ id: "k", key: new Uint8Array(32) }]));
  const keeper = new TokenKeeper({
    store,
    connections,
    clock: Date.now,
    sleep,
    refreshMarginMs: 0,
  });
  const provider = providerFor(s);
  const connection = await hubConnect(provider);
  await connections.save(connection);
  const rule = notion.rateLimit;
  const limiter = new RateLimiter(rule.requests, rule.windowMs, Date.now, sleep);
  let calls = 0;
  /** One hub items request: a page of `limit` (or everything) from these positions. */
  async function list(limit: number | null, positions: ChainPosition[] = notion.startChains()) {
    const current = (await connections.get("notion", owner))!;
    const api = new ProviderApiClient({
      provider,
      connection: current,
      keeper,
      limiter,
      sleep,
      onCall: () => calls++,
    });
    const result = await runChains({
      positions,
      limit,
      callBudget: null,
      maxPageSize: notion.maxPageSize,
      fetchPage: (position, size) => notion.fetchPage(position, size, api, current),
    });
    return { items: notion.finishItems!(result.items), remaining: result.remaining };
  }
  return {
    s,
    provider,
    connections,
    list,
    calls: () => calls,
    close: async () => {
      await s.close();
      kv.close();
    },
  };
}

function expectedName(o: NotionObject): string {
  return titleOf(o).trim() || "Untitled";
}

function parentIdOf(o: NotionObject): string | null {
  const p = o.parent;
  return p.type === "page_id" ? p.page_id : p.type === "database_id" ? p.database_id : null;
}

/** Each item matches its seeded object; its parent is linked iff the parent is in `listed`. */
function assertMatchesSeed(items: IntegrationItem[], seeded: NotionObject[]) {
  const byId = new Map(seeded.map((o) => [o.id, o]));
  const listed = new Set(items.map((i) => i.id));
  for (const item of items) {
    const o = byId.get(item.id);
    assert.ok(o, `unexpected item ${item.id}`);
    assert.equal(item.type, o.object);
    assert.equal(item.directory, o.object === "database");
    assert.equal(item.name, expectedName(o));
    assert.equal(item.url, o.url);
    assert.equal(item.creation_time, o.created_time);
    assert.equal(item.last_modified_time, o.last_edited_time);
    const parentId = parentIdOf(o);
    const linked = parentId !== null && listed.has(parentId) ? byId.get(parentId)! : null;
    assert.equal(item.parent_id, linked?.id ?? null, item.name);
    assert.equal(item.parent_path_or_name, linked === null ? null : expectedName(linked));
  }
}

Deno.test("the hub lists every shared page and database once, unpaged, with titles and parents", async () => {
  const t = await session();
  try {
    const account = (await t.connections.get("notion", owner))!;
    assert.equal(account.account?.name, "Acme Sandbox");
    assert.equal(account.tokens.expiresAt, null);
    assert.notEqual(account.tokens.refreshToken, null);
    const { items, remaining } = await t.list(null);
    assert.deepEqual(remaining, []);
    const seeded = t.s.control.searchable();
    assert.equal(items.length, seeded.length);
    assert.equal(new Set(items.map((i) => i.id)).size, items.length);
    assertMatchesSeed(items, seeded);
    assert.equal(t.calls(), Math.ceil(seeded.length / 100));
    const linked = items.filter((i) => i.parent_id !== null);
    assert.ok(linked.length > 130);
    const row = items.find((i) => i.name.startsWith("Task 1:"))!;
    assert.equal(row.parent_path_or_name, "Sprint tasks");
    assert.equal(items.find((i) => i.name === "Inside a toggle")!.parent_id, null);
    assert.equal(items.find((i) => i.name === "Shared child of a private page")!.parent_id, null);
  } finally {
    await t.close();
  }
});

Deno.test("paged with a small limit, every object comes exactly once across pages", async () => {
  const t = await session({ pages: 60, seed: 11 });
  try {
    const seen: string[] = [];
    let positions = notion.startChains();
    let pages = 0;
    while (positions.length > 0) {
      const { items, remaining } = await t.list(9, positions);
      assert.ok(items.length <= 9);
      assertMatchesSeed(items, t.s.control.searchable());
      seen.push(...items.map((i) => i.id));
      positions = remaining;
      pages++;
    }
    const expected = t.s.control.searchable().map((o) => o.id);
    assert.equal(pages, Math.ceil(expected.length / 9));
    assert.equal(new Set(seen).size, seen.length);
    assert.deepEqual(seen.sort(), expected.sort());
  } finally {
    await t.close();
  }
});

Deno.test("an expired access token is refreshed once mid-listing and the rotation is kept", async () => {
  const t = await session();
  try {
    const before = (await t.connections.get("notion", owner))!.tokens;
    const first = await t.list(50);
    await t.s.control.expireAccessTokens();
    const rest = await t.list(null, first.remaining);
    assert.equal(first.items.length + rest.items.length, t.s.control.searchable().length);
    const after = (await t.connections.get("notion", owner))!.tokens;
    assert.notEqual(after.accessToken, before.accessToken);
    assert.notEqual(after.refreshToken, before.refreshToken);
    assert.deepEqual(await t.s.control.liveRefreshTokens(), [after.refreshToken]);
    const counters = t.s.control.counters;
    assert.equal(counters.refreshes, 1);
    assert.equal(counters.usedRefreshTokenUses, 0);
    assert.equal(counters.rotatedAccessTokenUses, 0);
  } finally {
    await t.close();
  }
});

Deno.test("a legacy connection without a refresh token asks for a reconnect on 401", async () => {
  const t = await session({ issueRefreshTokens: false });
  try {
    assert.equal((await t.connections.get("notion", owner))!.tokens.refreshToken, null);
    assert.equal((await t.list(null)).items.length, t.s.control.searchable().length);
    await t.s.control.expireAccessTokens();
    await assert.rejects(t.list(null), ReconnectRequiredError);
    assert.equal((await t.connections.get("notion", owner))!.status, "reconnect_required");
  } finally {
    await t.close();
  }
});

Deno.test("429 and 529 are waited out by Retry-After and the listing completes", async () => {
  const t = await session();
  try {
    t.s.control.failNext("api", { status: 429, headers: { "Retry-After": "1" } });
    t.s.control.failNext("api", { status: 529, headers: { "Retry-After": "1" } });
    const started = Date.now();
    const { items } = await t.list(null);
    assert.ok(Date.now() - started >= 1900);
    assert.equal(items.length, t.s.control.searchable().length);
  } finally {
    await t.close();
  }
});

Deno.test("a burst beyond Notion's limit is paced, then waited out when the limit is lower", async () => {
  const t = await session({ pages: 40, rateLimit: { requestsPerSecond: 1, retryAfterSeconds: 1 } });
  try {
    let positions = notion.startChains();
    const seen: string[] = [];
    while (positions.length > 0) {
      const { items, remaining } = await t.list(20, positions);
      seen.push(...items.map((i) => i.id));
      positions = remaining;
    }
    assert.equal(seen.length, t.s.control.searchable().length);
    assert.ok(t.s.control.counters.rateLimited >= 1);
  } finally {
    await t.close();
  }
});

Deno.test("revoke uses Basic and the version header; a refused revoke throws", async () => {
  const t = await session();
  try {
    const tokens = (await t.connections.get("notion", owner))!.tokens;
    await assert.rejects(
      notion.revoke!(tokens, { ...providerFor(t.s, "wrong").app }),
      ProviderError,
    );
    await notion.revoke!(tokens, t.provider.app);
    assert.equal(t.s.control.counters.revocations, 1);
    assert.deepEqual(await t.s.control.liveRefreshTokens(), []);
    await assert.rejects(t.list(null), ReconnectRequiredError);
  } finally {
    await t.close();
  }
});
