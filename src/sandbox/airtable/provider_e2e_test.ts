/**
 * The Airtable provider module end to end against the sandbox over real HTTP, through the hub's
 * own pieces: the generic OAuth client (PKCE, Basic), the token keeper, ProviderApiClient
 * (per-base pacing, 429 penalty, refresh on 401) and runChains. Listings are compared with the
 * seeded account and the sandbox's counters.
 */
import assert from "node:assert/strict";
import { generateCodeVerifier, generateState } from "arctic";
import { type Connection, Connections } from "../../connections/connections.ts";
import { TokenKeeper } from "../../connections/token_keeper.ts";
import { connectionFrom } from "../../oauth/flow.ts";
import { Sealer } from "../../crypto/sealer.ts";
import { runChains } from "../../items/chains.ts";
import type { IntegrationItem } from "../../items/item.ts";
import { ProviderApiClient } from "../../items/provider_api.ts";
import { RateLimiter } from "../../items/rate_limiter.ts";
import { requestToken } from "../../connections/token_client.ts";
import { buildAuthorizationUrl } from "../../oauth/authorize_url.ts";
import { airtable } from "../../providers/airtable.ts";
import type { ActiveProvider, ProviderApp } from "../../providers/registry.ts";
import type { ChainPosition, ProviderSpec } from "../../providers/spec.ts";
import { createKvStore } from "../../store/kv_store.ts";
import { decideOnConsent } from "../../testing/browser.ts";
import type { AirtableSandboxOptions } from "./sandbox.ts";
import { CLIENT_ID, CLIENT_SECRET, REDIRECT, seededIds, serve, type Served } from "./testing.ts";

const owner = { userId: "ada", orgId: "acme" };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The hub's half of the flow: its authorization URL, consent, its code exchange. */
async function hubConnect(provider: ActiveProvider): Promise<Connection> {
  const verifier = generateCodeVerifier();
  const url = buildAuthorizationUrl(airtable.oauth, provider.app, generateState(), verifier);
  assert.equal(url.searchParams.get("code_challenge_method"), "S256");
  const back = await decideOnConsent(url, "approve");
  const code = back.searchParams.get("code")!;
  const response = await requestToken(airtable.oauth, provider.app, {
    grantType: "authorization_code",
    code,
    codeVerifier: verifier,
  });
  return await connectionFrom(provider, owner, response, Date.now());
}

/** A hub-side listing session: stored connection, keeper, one shared pacer, API clients. */
async function session(
  options: Partial<AirtableSandboxOptions> = {},
  spec: ProviderSpec = airtable,
) {
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
  const app: ProviderApp = {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: REDIRECT,
    authorizeUrl: `${s.url}/oauth2/v1/authorize`,
    tokenUrl: `${s.url}/oauth2/v1/token`,
    apiUrl: s.url,
    sandbox: true,
    fetch,
  };
  const provider: ActiveProvider = { spec, app };
  await connections.save(await hubConnect(provider));
  const rule = spec.rateLimit;
  const limiter = new RateLimiter(rule.requests, rule.windowMs, Date.now, sleep);
  let calls = 0;
  let onCall = () => {};
  /** One hub items request: a page of `limit` (or everything) from these positions. */
  async function list(limit: number | null, positions: ChainPosition[] = spec.startChains()) {
    const current = (await connections.get("airtable", owner))!;
    const api = new ProviderApiClient({
      provider,
      connection: current,
      keeper,
      limiter,
      sleep,
      onCall: () => {
        calls++;
        onCall();
      },
    });
    return await runChains({
      positions,
      limit,
      callBudget: null,
      maxPageSize: spec.maxPageSize,
      fetchPage: (position, size) => spec.fetchPage(position, size, api, current),
    });
  }
  /** Pages through everything with `limit`, calling `between` after each page. */
  async function listAll(
    limit: number,
    between: (page: number) => Promise<void> | void = () => {},
  ) {
    const items: IntegrationItem[] = [];
    let positions = spec.startChains();
    for (let page = 1; positions.length > 0; page++) {
      const result = await list(limit, positions);
      assert.ok(result.items.length <= limit);
      items.push(...result.items);
      positions = result.remaining;
      await between(page);
    }
    return items;
  }
  return {
    s,
    connections,
    list,
    listAll,
    calls: () => calls,
    onCall: (f: () => void) => {
      onCall = f;
    },
    close: async () => {
      await s.close();
      kv.close();
    },
  };
}

/** Every item matches the seeded object it names: type, name, parent, url. */
function assertMatchesSeed(items: IntegrationItem[], s: Served) {
  const expected = new Map<string, Partial<IntegrationItem>>();
  for (const base of s.control.bases) {
    expected.set(base.id, { type: "base", name: base.name || "Untitled", parent_id: null });
    for (const table of base.tables) {
      expected.set(table.id, { type: "table", name: table.name, parent_id: base.id });
      for (const r of table.records) {
        expected.set(r.id, {
          type: "record",
          parent_id: table.id,
          parent_path_or_name: table.name,
          url: `https://airtable.com/${base.id}/${table.id}/${r.id}`,
          creation_time: r.createdTime,
        });
      }
    }
  }
  for (const item of items) {
    const want = expected.get(item.id);
    assert.ok(want, `unexpected item ${item.id}`);
    for (const [key, value] of Object.entries(want)) {
      assert.equal(item[key as keyof IntegrationItem], value, `${item.id} ${key}`);
    }
  }
}

function assertPaced(s: Served) {
  for (const [base, stats] of Object.entries(s.control.counters.perBase)) {
    assert.ok(stats.maxPerSecond <= 5, `${base} saw ${stats.maxPerSecond} requests in a second`);
  }
  assert.equal(s.control.counters.rateLimited, 0);
}

Deno.test("unpaged: every base, table and record exactly once, names right, at most 5 per second per base", async () => {
  const t = await session();
  try {
    const account = (await t.connections.get("airtable", owner))!;
    assert.deepEqual(account.account, { id: t.s.control.user.id, name: t.s.control.user.id });
    assert.deepEqual(account.scopes, ["data.records:read", "schema.bases:read"]);
    const { items, remaining } = await t.list(null);
    assert.deepEqual(remaining, []);
    const ids = items.map((i) => i.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual([...ids].sort(), seededIds(t.s.control.bases));
    assertMatchesSeed(items, t.s);
    assertPaced(t.s);
    const byId = new Map(items.map((i) => [i.id, i]));
    const name = (base: number, table: number, record: number) => {
      const r = t.s.control.bases[base].tables[table].records[record];
      return byId.get(r.id)!.name;
    };
    assert.equal(name(0, 0, 0), "Feature 1");
    assert.equal(name(0, 0, 3), t.s.control.bases[0].tables[0].records[3].id, "empty primary");
    assert.equal(name(0, 0, 11), "padded with spaces");
    assert.equal(name(0, 1, 0), "0", "the number zero is a name");
    assert.equal(name(0, 1, 1), "1.5");
    assert.equal(name(1, 0, 0), "Person 0");
    assert.equal(name(1, 0, 2), "no.name@example.com");
    assert.equal(name(1, 1, 0), "Interview #1 — round 1");
    assert.match(name(1, 2, 0), /^rec[A-Za-z0-9]{14}, rec[A-Za-z0-9]{14}$/);
    assert.equal(name(2, 0, 0), "SKU-1000");
    assert.equal(name(3, 0, 0), "2025-03-01");
    // One bases page, one schema per base, ceil(records / 100) pages per table (at least one).
    const tables = t.s.control.bases.flatMap((b) => b.tables);
    const expectedCalls = 1 + t.s.control.bases.length +
      tables.reduce((n, table) => n + Math.max(1, Math.ceil(table.records.length / 100)), 0);
    assert.equal(t.calls(), expectedCalls);
  } finally {
    await t.close();
  }
});

Deno.test("paged with a small limit (and bases in pages of 3): nothing lost or repeated, still paced", async () => {
  const t = await session({ basesPageSize: 3 });
  try {
    const items = await t.listAll(23);
    const ids = items.map((i) => i.id);
    assert.equal(new Set(ids).size, ids.length, "an item was repeated");
    assert.deepEqual(ids.sort(), seededIds(t.s.control.bases));
    assertMatchesSeed(items, t.s);
    assertPaced(t.s);
  } finally {
    await t.close();
  }
});

Deno.test("iterators expiring mid-table, between pages or within one run, lose and repeat nothing", async () => {
  const t = await session();
  try {
    const paged = await t.listAll(40, () => t.s.control.expireIterators());
    assert.deepEqual(paged.map((i) => i.id).sort(), seededIds(t.s.control.bases));
    const expiredBetweenPages = t.s.control.counters.expiredIterators;
    assert.ok(expiredBetweenPages >= 3, "listings did restart");
    let calls = 0;
    t.onCall(() => {
      // The sandbox's memory store settles within microtasks, before the call reaches it.
      if (++calls % 4 === 0) void t.s.control.expireIterators();
    });
    const { items } = await t.list(null);
    assert.ok(t.s.control.counters.expiredIterators > expiredBetweenPages);
    const ids = items.map((i) => i.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(ids.sort(), seededIds(t.s.control.bases));
    assertPaced(t.s);
  } finally {
    await t.close();
  }
});

Deno.test("an access token expiring mid-listing is refreshed once and the rotated pair is kept", async () => {
  const t = await session();
  try {
    const before = (await t.connections.get("airtable", owner))!.tokens;
    const first = await t.list(50);
    await t.s.control.expireAccessTokens();
    const rest = await t.list(null, first.remaining);
    const ids = [...first.items, ...rest.items].map((i) => i.id).sort();
    assert.deepEqual(ids, seededIds(t.s.control.bases));
    const after = (await t.connections.get("airtable", owner))!.tokens;
    assert.notEqual(after.refreshToken, before.refreshToken);
    assert.deepEqual(await t.s.control.liveRefreshTokens(), [after.refreshToken]);
    assert.equal(t.s.control.counters.refreshes, 1);
    assert.equal(t.s.control.counters.reusedRefreshTokens, 0);
  } finally {
    await t.close();
  }
});

Deno.test("a 429 from Airtable is waited out for the penalty and the listing completes", async () => {
  const spec = { ...airtable, rateLimit: { ...airtable.rateLimit, penaltyMs: 400 } };
  const t = await session({ rateLimit: { perBasePerSecond: 5, penaltyMs: 400 } }, spec);
  try {
    t.s.control.failNext("api", {
      status: 429,
      body: {
        errors: [{
          error: "RATE_LIMIT_REACHED",
          message: "Rate limit exceeded. Please try again later",
        }],
      },
    });
    const started = Date.now();
    const { items } = await t.list(null);
    assert.ok(Date.now() - started >= 400);
    assert.deepEqual(items.map((i) => i.id).sort(), seededIds(t.s.control.bases));
  } finally {
    await t.close();
  }
});
