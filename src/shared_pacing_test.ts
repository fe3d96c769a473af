/**
 * One pacer across processes: three real hub processes (src/main.ts) on one Redis behind the
 * Upstash layer, two users connected to the same HubSpot portal and the same Airtable bases,
 * all listing at once. The sandboxes, served by this test on ports of their own, count as the
 * providers do (per portal, per base and per token, whoever calls), so a pacer kept per
 * process would draw 429s here; the shared one must not. Then a 429 seen by one process holds
 * the others.
 */
import assert from "node:assert/strict";
import { createNotionSandbox } from "./sandbox/notion/sandbox.ts";
import { connectThroughConsent } from "./testing/browser.ts";
import { hubEnv } from "./testing/faulty_servers.ts";
import { type HubProcess, startHubProcess } from "./testing/hub_process.ts";
import { TEST_API_KEY } from "./testing/hub.ts";
import { serveLocally } from "./testing/local_server.ts";
import { startSandboxProcess } from "./testing/sandbox_process.ts";
import { startTestRedis, startUpstashForTests } from "./testing/redis_harness.ts";
import { tapUpstash } from "./testing/worker_harness.ts";

const redis = await startTestRedis();
await redis?.close();

const USERS = ["ada", "grace"];
const HUBS = 3;

/** The sandboxes and the hub settings that point at them (Notion in this process: faults). */
async function sandboxes() {
  const redirectUris: string[] = [];
  const notion = createNotionSandbox({
    clientId: "notion-app",
    clientSecret: "notion-secret",
    redirectUris,
  });
  const notionServer = serveLocally((r) => notion.app.fetch(r));
  const [hubspot, airtable] = await Promise.all([
    startSandboxProcess("hubspot"),
    startSandboxProcess("airtable"),
  ]);
  const n = notionServer.url;
  const env = {
    ...hubspot.env,
    ...airtable.env,
    NOTION_CLIENT_ID: "notion-app",
    NOTION_CLIENT_SECRET: "notion-secret",
    NOTION_AUTHORIZE_URL: `${n}/v1/oauth/authorize`,
    NOTION_TOKEN_URL: `${n}/v1/oauth/token`,
    NOTION_API_URL: n,
  };
  return {
    hubspot,
    airtable,
    notion,
    env,
    register: async (uri: (provider: string) => string) => {
      redirectUris.push(uri("notion"));
      await hubspot.register(uri("hubspot"));
      await airtable.register(uri("airtable"));
    },
    close: async () => {
      await Promise.all([hubspot.close(), airtable.close(), notionServer.close()]);
    },
  };
}

async function items(hub: HubProcess, provider: string, user: string) {
  const response = await fetch(
    `${hub.url}/integrations/${provider}/items?user_id=${user}&org_id=acme`,
    { headers: { Authorization: `Bearer ${TEST_API_KEY}` } },
  );
  return {
    status: response.status,
    retryAfter: response.headers.get("Retry-After"),
    body: await response.json(),
  };
}

/** Three hub processes on one store, every user connected to every provider through the first. */
async function withHubs(
  settings: Record<string, string>,
  fn: (hubs: HubProcess[], s: Awaited<ReturnType<typeof sandboxes>>) => Promise<void>,
): Promise<void> {
  const upstash = await startUpstashForTests();
  // The hub's store takes no key prefix: the tap puts this test's keys under its namespace.
  const tap = tapUpstash(upstash, upstash.namespace);
  const s = await sandboxes();
  const env = hubEnv({
    UPSTASH_REDIS_REST_URL: tap.url,
    UPSTASH_REDIS_REST_TOKEN: upstash.token,
    ...s.env,
    ...settings,
  });
  const hubs = await Promise.all(Array.from({ length: HUBS }, () => startHubProcess(env)));
  try {
    await s.register((p) => `${hubs[0].url}/integrations/${p}/oauth2callback`);
    for (const user of USERS) {
      for (const provider of ["hubspot", "airtable", "notion"]) {
        await connectThroughConsent(hubs[0].url, provider, user);
      }
    }
    await fn(hubs, s);
  } finally {
    await Promise.all(hubs.map((hub) => hub.close()));
    await s.close();
    await tap.close();
    await upstash.close();
  }
}

Deno.test({
  name: "three hub processes, two users on one portal and one set of bases: never over a limit",
  ignore: redis === null,
  sanitizeResources: false,
  fn: () =>
    withHubs({ RATE_LIMIT_WAIT_MS: "60000" }, async (hubs, s) => {
      // Every hub lists every user's HubSpot account three times and Airtable account once, at
      // once: 18 HubSpot listings of 7 calls (126 calls: more than one 10-second window holds)
      // and 6 Airtable listings, each with 6 calls on its busiest base (36 calls on it).
      const [hubspotBefore, airtableBefore] = [
        await s.hubspot.counters(),
        await s.airtable.counters(),
      ];
      const answers = await Promise.all(
        hubs.flatMap((hub) =>
          USERS.flatMap((user) => [
            items(hub, "airtable", user),
            ...[0, 1, 2].map(() => items(hub, "hubspot", user)),
          ])
        ),
      );
      const hubspot = await s.hubspot.counters();
      const airtable = await s.airtable.counters();
      assert.equal(hubspot.rateLimited - hubspotBefore.rateLimited, 0, "HubSpot answered 429");
      assert.ok(hubspot.crmCalls - hubspotBefore.crmCalls >= 126);
      assert.equal(
        airtable.rateLimited - airtableBefore.rateLimited,
        0,
        `Airtable answered 429: ${JSON.stringify(airtable.perBase)}`,
      );
      for (const answer of answers) assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const bases = Object.entries(airtable.perBase) as [string, { maxPerSecond: number }][];
      for (const [base, stats] of bases) {
        assert.ok(stats.maxPerSecond <= 5, `${base} saw ${stats.maxPerSecond} calls in a second`);
      }
      const busiest = Math.max(
        ...Object.values(airtable.perBase as Record<string, { requests: number }>).map((b) =>
          b.requests
        ),
      );
      assert.ok(busiest >= 36, `the busiest base saw ${busiest} calls`);
    }),
});

Deno.test({
  name: "a 429 seen by one hub process holds the others until its Retry-After has passed",
  ignore: redis === null,
  sanitizeResources: false,
  fn: () =>
    withHubs({ RATE_LIMIT_WAIT_MS: "1000" }, async (hubs, s) => {
      s.notion.control.failNext("api", { status: 429, headers: { "Retry-After": "4" } });
      const first = await items(hubs[0], "notion", "ada");
      // Its own retry would wait 4 s, past the 1 s bound: the first hub answers 503 at once.
      assert.equal(first.status, 503, JSON.stringify(first.body));
      const calls = s.notion.control.counters.apiCalls;
      for (const hub of hubs.slice(1)) {
        const held = await items(hub, "notion", "ada");
        assert.equal(held.status, 503, JSON.stringify(held.body));
        assert.equal(held.body.error.code, "provider_rate_limited");
        assert.ok(Number(held.retryAfter) >= 2, `Retry-After: ${held.retryAfter}`);
      }
      assert.equal(s.notion.control.counters.apiCalls, calls, "the others did not call Notion");
      const other = await items(hubs[1], "notion", "grace");
      assert.equal(other.status, 200, "another connection's scope is not blocked");
      await new Promise((r) => setTimeout(r, 4_200));
      const after = await items(hubs[2], "notion", "ada");
      assert.equal(after.status, 200, JSON.stringify(after.body));
    }),
});
