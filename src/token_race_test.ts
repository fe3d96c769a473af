/**
 * The token race, with real processes: two hubs (src/main.ts) on one Redis behind the
 * Upstash-compatible layer, a dozen clients listing Airtable items through both while the
 * provider rejects every issued access token three times. Airtable rotates refresh tokens and a
 * refresh also retires the access tokens issued before it, so requests queued behind the pacer
 * keep meeting tokens that another request or process has already replaced. None of that may
 * mark the live connection for reconnect: each expiry costs exactly one refresh, every answer is
 * whole, and no refresh token is sent twice.
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

const CLIENTS = 12;
const EXPIRIES = 3;
const EXPIRY_GAP_MS = 1_500;

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("no refresh followed the expiry");
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test({
  name: "a live connection survives repeated token expiries under load across two processes",
  ignore: redis === null,
  sanitizeResources: false,
  fn: async () => {
    const upstash = await startUpstashForTests();
    const tap = tapUpstash(upstash, upstash.namespace);
    const redirectUris: string[] = [];
    const sandbox = createAirtableSandbox({
      clientId: "token-race",
      clientSecret: "token-race-secret",
      redirectUris,
      // Generous: the race under test is the tokens', not the rate limit's (the hubs pace for
      // Airtable's real 5 per second per base, together, so they never draw the penalty).
      rateLimit: { perBasePerSecond: 50, penaltyMs: 30_000 },
      latencyMs: 20,
    });
    const provider = serveLocally((request) => sandbox.app.fetch(request));
    const env = hubEnv({
      UPSTASH_REDIS_REST_URL: tap.url,
      UPSTASH_REDIS_REST_TOKEN: upstash.token,
      ...providerEnv("airtable", {
        clientId: "token-race",
        clientSecret: "token-race-secret",
        base: provider.url,
      }),
      // The two hubs share one pacer (Airtable's 5 per second per base): the clients' listings
      // queue behind each other for longer than the default bound, and must wait, not be shed.
      RATE_LIMIT_WAIT_MS: "60000",
      // A call retried after a 401 takes a new slot at the back of that queue.
      PROVIDER_CALL_TIMEOUT_MS: "60000",
    });
    const hubs = await Promise.all([startHubProcess(env), startHubProcess(env)]);
    try {
      const [a] = hubs;
      redirectUris.push(`${a.url}/integrations/airtable/oauth2callback`);
      await connectThroughConsent(a.url, "airtable");

      const call = async (hub: HubProcess, path: string) => {
        const response = await fetch(`${hub.url}/integrations/airtable/${path}`, {
          headers: { Authorization: `Bearer ${TEST_API_KEY}` },
        });
        return { status: response.status, body: await response.json() };
      };
      const whole = await call(a, "items?user_id=ada&org_id=acme");
      assert.equal(whole.status, 200, JSON.stringify(whole.body));
      const itemCount = whole.body.items.length;
      assert.ok(itemCount > 20, `the seed account lists ${itemCount} items`);

      const refreshesBefore = sandbox.control.counters.refreshes;
      let running = true;
      const answers: { status: number; body: { items?: unknown[] } }[] = [];
      const clients = Array.from({ length: CLIENTS }, async (_, i) => {
        while (running) answers.push(await call(hubs[i % 2], "items?user_id=ada&org_id=acme"));
      });
      try {
        for (let expiry = 1; expiry <= EXPIRIES; expiry++) {
          await new Promise((r) => setTimeout(r, EXPIRY_GAP_MS));
          await sandbox.control.expireAccessTokens();
          // The next expiry waits for this one's refresh, so each is met by the clients alone.
          await until(() => sandbox.control.counters.refreshes - refreshesBefore >= expiry);
        }
        await new Promise((r) => setTimeout(r, EXPIRY_GAP_MS));
      } finally {
        running = false;
        await Promise.all(clients);
      }
      const failed = answers.filter((answer) => answer.status !== 200);
      assert.deepEqual(failed.slice(0, 3), [], `${failed.length} of ${answers.length} failed`);
      for (const answer of answers) assert.equal(answer.body.items?.length, itemCount);
      const status = await call(hubs[1], "status?user_id=ada&org_id=acme");
      assert.equal(status.body.status, "connected", JSON.stringify(status.body));
      assert.equal(status.body.last_error, null);
      assert.equal(sandbox.control.counters.refreshes - refreshesBefore, EXPIRIES);
      assert.equal(sandbox.control.counters.reusedRefreshTokens, 0);
      assert.equal((await sandbox.control.liveRefreshTokens()).length, 1);
      assert.equal(sandbox.control.counters.rateLimited, 0);
      console.log(`token race: ${answers.length} answers, all whole; ${EXPIRIES} refreshes`);
    } finally {
      await Promise.all(hubs.map((hub) => hub.close()));
      await provider.close();
      await tap.close();
      await upstash.close();
    }
  },
});
