/**
 * Tokens that stay secret and fresh, end to end over real HTTP: the hub against a HubSpot
 * sandbox on its own port (as it would face HubSpot), on the Upstash store over a real Redis.
 * Faults are injected at the provider; raw Redis, logs and every answer are searched for secrets.
 */
import assert from "node:assert/strict";
import { createHubspotSandbox } from "./sandbox/hubspot/sandbox.ts";
import { createUpstashStore } from "./store/upstash_store.ts";
import { startTestRedis, startUpstashForTests, type TestUpstash } from "./testing/redis_harness.ts";
import { formFields, TestBrowser } from "./testing/browser.ts";
import { memoryLogger, startHub } from "./testing/hub.ts";

const CLIENT_SECRET = "hubspot-client-secret-for-tests";

async function setUp(upstash: TestUpstash) {
  const redirectUris: string[] = [];
  const sandbox = createHubspotSandbox({
    clientId: "cid",
    clientSecret: CLIENT_SECRET,
    redirectUris,
  });
  const provider = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    sandbox.app.fetch,
  );
  const providerUrl = `http://127.0.0.1:${provider.addr.port}`;
  const log = memoryLogger();
  const hub = startHub({
    store: createUpstashStore(upstash),
    log,
    env: {
      SANDBOX: "false",
      HUBSPOT_CLIENT_ID: "cid",
      HUBSPOT_CLIENT_SECRET: CLIENT_SECRET,
      HUBSPOT_AUTHORIZE_URL: `${providerUrl}/oauth/authorize`,
      HUBSPOT_TOKEN_URL: `${providerUrl}/oauth/v1/token`,
      HUBSPOT_API_URL: providerUrl,
    },
  });
  redirectUris.push(`${hub.url}/integrations/hubspot/oauth2callback`);
  const browser = new TestBrowser();
  /** Every body the hub answered, to search for secrets. */
  const answers: string[] = [];
  const call = async (path: string, init: RequestInit = {}) => {
    const response = await browser.request(`${hub.url}${path}`, init);
    const text = await response.text();
    answers.push(text, JSON.stringify([...response.headers]));
    return { status: response.status, text, json: () => JSON.parse(text) };
  };
  const connect = async () => {
    const start = await browser.postForm(`${hub.url}/integrations/hubspot/connect`, {});
    const authorizeUrl = start.headers.get("location")!;
    assert.ok(authorizeUrl.startsWith(providerUrl));
    const form = formFields(await (await fetch(authorizeUrl)).text());
    const decision = await fetch(new URL(form.action!, authorizeUrl), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ ...form.fields, decision: "approve" }),
      redirect: "manual",
    });
    const callback = new URL(decision.headers.get("location")!);
    return await call(callback.pathname + callback.search);
  };
  await browser.postForm(`${hub.url}/login`, { user_id: "alice", org_id: "acme" });
  return {
    sandbox,
    hub,
    log,
    answers,
    call,
    connect,
    close: async () => {
      await hub.close();
      await provider.shutdown();
    },
  };
}

async function rawRedisValues(upstash: TestUpstash): Promise<string> {
  const keys = await upstash.redis.sendCommand(["KEYS", `${upstash.namespace}*`]);
  const values: string[] = [];
  for (const key of keys as Uint8Array[]) {
    const value = await upstash.redis.sendCommand(["GET", key]);
    values.push(new TextDecoder().decode(key), new TextDecoder().decode(value as Uint8Array));
  }
  return values.join("\n");
}

const redis = await startTestRedis();
await redis?.close();

Deno.test({
  name: "tokens stay fresh through expiry and faults, and no secret reaches Redis, logs or answers",
  ignore: redis === null,
  fn: async () => {
    const upstash = await startUpstashForTests();
    const t = await setUp(upstash);
    try {
      assert.equal((await t.connect()).status, 303);
      const stored = await rawRedisValues(upstash);
      assert.ok(stored.includes("connection"), "the connection is in Redis");

      // The provider expires the token early: one forced refresh, one retry, items load.
      t.sandbox.control.expireAccessTokens();
      const afterExpiry = await t.call("/integrations/hubspot/items?limit=10");
      assert.equal(afterExpiry.status, 200);
      assert.equal(t.sandbox.control.counters.tokenCalls.refresh_token, 1);

      // A refresh that keeps failing (500s) is a temporary error; the grant survives.
      t.sandbox.control.expireAccessTokens();
      t.sandbox.control.failNext("token", { status: 500, body: { message: "boom" } }, 3);
      const failing = await t.call("/integrations/hubspot/items?limit=10");
      assert.equal(failing.status, 502);
      assert.equal(failing.json().error.code, "provider_error");
      const recovered = await t.call("/integrations/hubspot/items?limit=10");
      assert.equal(recovered.status, 200);
      assert.equal((await t.call("/integrations/hubspot/status")).json().status, "connected");

      // The user uninstalls at the provider: reconnect_required, kept, and reconnectable in place.
      t.sandbox.control.revokeRefreshTokens();
      t.sandbox.control.expireAccessTokens();
      const revoked = await t.call("/integrations/hubspot/items");
      assert.equal(revoked.status, 409);
      assert.equal(revoked.json().error.code, "reconnect_required");
      const status = (await t.call("/integrations/hubspot/status")).json();
      assert.equal(status.status, "reconnect_required");
      assert.ok(status.last_error.message.length > 0);
      const dashboard = await t.call("/");
      assert.match(dashboard.text, /Reconnect/);
      assert.equal((await t.connect()).status, 303);
      assert.equal((await t.call("/integrations/hubspot/status")).json().status, "connected");
      assert.equal((await t.call("/integrations/hubspot/items")).status, 200);

      // Disconnect revokes at HubSpot, then forgets locally.
      const liveBefore = t.sandbox.control.liveRefreshTokens();
      assert.equal(liveBefore.length, 1);
      assert.equal((await t.call("/integrations/hubspot", { method: "DELETE" })).status, 204);
      assert.deepEqual(t.sandbox.control.liveRefreshTokens(), []);
      assert.equal((await t.call("/integrations/hubspot/status")).json().status, "not_connected");
      assert.equal((await t.call("/integrations/hubspot", { method: "DELETE" })).status, 204);

      const secrets = [
        ...t.sandbox.control.issuedAccessTokens(),
        ...liveBefore,
        CLIENT_SECRET,
      ];
      assert.ok(secrets.length >= 5);
      const everything = [stored, await rawRedisValues(upstash), ...t.log.lines, ...t.answers]
        .join("\n");
      for (const secret of secrets) {
        assert.ok(!everything.includes(secret), `a secret leaked: ${secret.slice(0, 6)}…`);
      }
    } finally {
      await t.close();
      await upstash.close();
    }
  },
});
