/**
 * Tokens that stay secret and fresh, end to end over real HTTP: the hub against a HubSpot
 * sandbox on its own port (as it would face HubSpot), on the Upstash store over a real Redis.
 * Faults are injected at the provider; raw Redis, logs and every answer are searched for secrets.
 */
import assert from "node:assert/strict";
import { createHubspotSandbox } from "./sandbox/hubspot/sandbox.ts";
import { createUpstashStore } from "./store/upstash_store.ts";
import { PROVIDER_CLIENT_SECRET, startProviderHub } from "./testing/provider_hub.ts";
import {
  rawNamespace,
  startTestRedis,
  startUpstashForTests,
  type TestUpstash,
} from "./testing/redis_harness.ts";

async function rawRedisValues(upstash: TestUpstash): Promise<string> {
  return (await rawNamespace(upstash)).join("\n");
}

const redis = await startTestRedis();
await redis?.close();

Deno.test({
  name: "tokens stay fresh through expiry and faults, and no secret reaches Redis, logs or answers",
  ignore: redis === null,
  fn: async () => {
    const upstash = await startUpstashForTests();
    const t = await startProviderHub({
      provider: "hubspot",
      store: createUpstashStore(upstash),
      makeSandbox: createHubspotSandbox,
    });
    try {
      assert.equal((await t.connect()).status, 303);
      const stored = await rawRedisValues(upstash);
      assert.ok(stored.includes("connection"), "the connection is in Redis");

      // The provider expires the token early: one forced refresh, one retry, items load.
      await t.control.expireAccessTokens();
      const afterExpiry = await t.call("/integrations/hubspot/items?limit=10");
      assert.equal(afterExpiry.status, 200);
      assert.equal(t.control.counters.tokenCalls.refresh_token, 1);

      // A refresh that keeps failing (500s) is a temporary error; the grant survives.
      await t.control.expireAccessTokens();
      t.control.failNext("token", { status: 500, body: { message: "boom" } }, 3);
      const failing = await t.call("/integrations/hubspot/items?limit=10");
      assert.equal(failing.status, 502);
      assert.equal(failing.json().error.code, "provider_error");
      const recovered = await t.call("/integrations/hubspot/items?limit=10");
      assert.equal(recovered.status, 200);
      assert.equal((await t.call("/integrations/hubspot/status")).json().status, "connected");

      // The user uninstalls at the provider: reconnect_required, kept, and reconnectable in place.
      await t.control.revokeRefreshTokens();
      await t.control.expireAccessTokens();
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
      const liveBefore = await t.control.liveRefreshTokens();
      assert.equal(liveBefore.length, 1);
      assert.equal((await t.call("/integrations/hubspot", { method: "DELETE" })).status, 204);
      assert.deepEqual(await t.control.liveRefreshTokens(), []);
      assert.equal((await t.call("/integrations/hubspot/status")).json().status, "not_connected");
      assert.equal((await t.call("/integrations/hubspot", { method: "DELETE" })).status, 204);

      const secrets = [
        ...t.control.issuedAccessTokens(),
        ...liveBefore,
        PROVIDER_CLIENT_SECRET,
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
