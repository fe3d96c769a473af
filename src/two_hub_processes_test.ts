/**
 * Two real hub processes (the Deno entry, src/main.ts) on one Redis behind the
 * Upstash-compatible layer, facing the Airtable sandbox, whose refresh tokens rotate strictly:
 * a connection made through one process is served by both, and when the provider rejects the
 * access token under both at once, the refresh token is used exactly once between them.
 */
import assert from "node:assert/strict";
import { providerEnv } from "./provider_config.ts";
import { createAirtableSandbox } from "./sandbox/airtable/sandbox.ts";
import { connectThroughConsent } from "./testing/browser.ts";
import { hubEnv } from "./testing/faulty_servers.ts";
import { TEST_API_KEY } from "./testing/hub.ts";
import { type HubProcess, startHubProcess } from "./testing/hub_process.ts";
import { serveLocally } from "./testing/local_server.ts";
import { startTestRedis, startUpstashForTests } from "./testing/redis_harness.ts";
import { tapUpstash } from "./testing/worker_harness.ts";

const redis = await startTestRedis();
await redis?.close();

Deno.test({
  name: "two hub processes on one Redis share connections and refresh a rotating token once",
  ignore: redis === null,
  sanitizeResources: false,
  fn: async () => {
    const upstash = await startUpstashForTests();
    // The hub's store takes no key prefix: the tap puts this test's keys under its namespace.
    const tap = tapUpstash(upstash, upstash.namespace);
    const redirectUris: string[] = [];
    const sandbox = createAirtableSandbox({
      clientId: "two-processes",
      clientSecret: "two-processes-secret",
      redirectUris,
    });
    // A slow token endpoint keeps the first refresh running while the other process asks.
    const provider = serveLocally(async (request) => {
      if (new URL(request.url).pathname.endsWith("/token")) {
        await new Promise((r) => setTimeout(r, 200));
      }
      return await sandbox.app.fetch(request);
    });
    const env = hubEnv({
      UPSTASH_REDIS_REST_URL: tap.url,
      UPSTASH_REDIS_REST_TOKEN: upstash.token,
      ...providerEnv("airtable", {
        clientId: "two-processes",
        clientSecret: "two-processes-secret",
        base: provider.url,
      }),
    });
    const hubs = await Promise.all([startHubProcess(env), startHubProcess(env)]);
    try {
      const [a, b] = hubs;
      redirectUris.push(`${a.url}/integrations/airtable/oauth2callback`);
      await connectThroughConsent(a.url, "airtable");

      // One item: one call to the bases list, which no per-base limit counts, so the two
      // processes (each pacing only its own calls) stay clear of Airtable's 30 s penalty.
      const list = async (hub: HubProcess) => {
        const response = await fetch(
          `${hub.url}/integrations/airtable/items?user_id=ada&org_id=acme&limit=1`,
          { headers: { Authorization: `Bearer ${TEST_API_KEY}` } },
        );
        // Cursors are sealed with a fresh IV each time: compare what they open to, not them.
        const { next_cursor, ...body } = await response.json();
        return { status: response.status, body, paged: next_cursor !== null };
      };
      const [fromA, fromB] = await Promise.all([list(a), list(b)]);
      assert.equal(fromA.status, 200, JSON.stringify(fromA.body));
      assert.deepEqual(fromB, fromA, "the second process serves the connection the first made");

      await sandbox.control.expireAccessTokens();
      const refreshesBefore = sandbox.control.counters.refreshes;
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => list(hubs[i % 2])));
      for (const answer of answers) assert.deepEqual(answer, fromA);
      assert.equal(sandbox.control.counters.refreshes - refreshesBefore, 1);
      assert.equal(sandbox.control.counters.reusedRefreshTokens, 0);
      assert.equal((await sandbox.control.liveRefreshTokens()).length, 1);
      assert.equal(sandbox.control.counters.rateLimited, 0);
    } finally {
      await Promise.all(hubs.map((hub) => hub.close()));
      await provider.close();
      await tap.close();
      await upstash.close();
    }
  },
});
