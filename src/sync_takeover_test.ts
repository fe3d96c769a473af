/**
 * A sync whose process dies is taken over: two real hub processes on one Redis behind the
 * Upstash-compatible layer, facing a HubSpot sandbox on its own port. The first process starts
 * a connection's first sync and is killed (SIGKILL: no shutdown, its lease stays) after its
 * first checkpoint; once the lease lapses, the second process resumes from that checkpoint
 * (it does not list the account again from the start) and the copy ends whole, every item once.
 */
import assert from "node:assert/strict";
import { generateEncryptionKey } from "./crypto/sealer.ts";
import { createHubspotSandbox } from "./sandbox/hubspot/sandbox.ts";
import { connectThroughConsent } from "./testing/browser.ts";
import { TEST_API_KEY } from "./testing/hub.ts";
import { type HubProcess, startHubProcess } from "./testing/hub_process.ts";
import { serveLocally } from "./testing/local_server.ts";
import { startTestRedis, startUpstashForTests } from "./testing/redis_harness.ts";
import { tapUpstash } from "./testing/worker_harness.ts";

const redis = await startTestRedis();
await redis?.close();

const OWNER = "user_id=ada&org_id=acme";
const LEASE_SECONDS = 5;

async function sync(hub: HubProcess) {
  const response = await fetch(`${hub.url}/integrations/hubspot/status?${OWNER}`, {
    headers: { Authorization: `Bearer ${TEST_API_KEY}` },
  });
  return (await response.json()).sync;
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean) {
  const deadline = Date.now() + 30_000;
  for (let value = await read(); Date.now() < deadline; value = await read()) {
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

Deno.test({
  name: "a sync whose process dies is resumed by another process from its last checkpoint",
  ignore: redis === null,
  sanitizeResources: false,
  fn: async () => {
    const upstash = await startUpstashForTests();
    const tap = tapUpstash(upstash, upstash.namespace);
    const redirectUris: string[] = [];
    const sandbox = createHubspotSandbox({
      clientId: "takeover",
      clientSecret: "takeover-secret",
      redirectUris,
      counts: { contacts: 3000, companies: 500, deals: 500 },
      // Slow pages: the first process is sure to be mid-sync when it is killed.
      latencyMs: 60,
    });
    const provider = serveLocally(sandbox.app.fetch);
    const { data } = sandbox.control;
    const live = (type: keyof typeof data) => data[type].filter((r) => !r.archived).length;
    const total = live("contacts") + live("companies") + live("deals");
    const env = {
      APP_ENV: "development",
      SANDBOX: "false",
      UPSTASH_REDIS_REST_URL: tap.url,
      UPSTASH_REDIS_REST_TOKEN: upstash.token,
      ENCRYPTION_KEYS: generateEncryptionKey("k1"),
      SESSION_SECRET: "takeover-session-secret-0123456789abcdef",
      API_KEYS: TEST_API_KEY,
      HUBSPOT_CLIENT_ID: "takeover",
      HUBSPOT_CLIENT_SECRET: "takeover-secret",
      HUBSPOT_AUTHORIZE_URL: `${provider.url}/oauth/authorize`,
      HUBSPOT_TOKEN_URL: `${provider.url}/oauth/v1/token`,
      HUBSPOT_API_URL: provider.url,
      SYNC_INTERVAL_MINUTES: "15",
      SYNC_LEASE_SECONDS: String(LEASE_SECONDS),
    };
    const first = await startHubProcess(env);
    const second = await startHubProcess(env);
    try {
      redirectUris.push(`${first.url}/integrations/hubspot/oauth2callback`);
      await connectThroughConsent(first.url, "hubspot");

      // The first sync runs in the first process; it dies after its first checkpoint.
      const midway = await until(
        "a first checkpoint",
        () => sync(second),
        (s) => (s.progress?.done ?? 0) >= 1000,
      );
      assert.equal(midway.state, "running");
      first.kill("SIGKILL");
      await first.status;
      const callsBeforeDeath = sandbox.control.counters.crmCalls;
      const doneBeforeDeath = (await sync(second)).progress.done;
      assert.ok(doneBeforeDeath < total, "the first process died mid-sync");

      // Until its lease lapses nobody else may sync it; then the second process resumes.
      const early = await fetch(`${second.url}/integrations/hubspot/sync?${OWNER}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${TEST_API_KEY}` },
      });
      assert.equal(early.status, 202);
      await early.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(
        sandbox.control.counters.crmCalls,
        callsBeforeDeath,
        "no sync while the lease holds",
      );
      await new Promise((resolve) => setTimeout(resolve, LEASE_SECONDS * 1000));
      const resumed = await fetch(`${second.url}/integrations/hubspot/sync?${OWNER}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${TEST_API_KEY}` },
      });
      assert.equal(resumed.status, 202);
      await resumed.body?.cancel();
      const finished = await until("the resumed sync", () => sync(second), (s) => s.state === "ok");
      assert.equal(finished.items, total);

      // Resumed, not restarted: the calls after the death list only what was left.
      const fullListing = Math.ceil(live("contacts") / 100) + Math.ceil(live("companies") / 100) +
        Math.ceil(live("deals") / 100);
      const callsAfterDeath = sandbox.control.counters.crmCalls - callsBeforeDeath;
      assert.ok(
        callsAfterDeath < fullListing,
        `${callsAfterDeath} calls after the takeover, a full listing takes ${fullListing}`,
      );
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `${OWNER}&limit=1000${cursor ? `&cursor=${cursor}` : ""}`;
        const page = await (await fetch(`${second.url}/integrations/hubspot/items?${query}`, {
          headers: { Authorization: `Bearer ${TEST_API_KEY}` },
        })).json();
        assert.ok(page.synced_at, "served from the copy");
        ids.push(...page.items.map((item: { id: string }) => item.id));
        cursor = page.next_cursor;
      } while (cursor !== null);
      assert.equal(ids.length, total);
      assert.equal(new Set(ids).size, total, "every item once");
      console.log(
        `takeover: ${doneBeforeDeath} items before the kill, ${callsAfterDeath} of ${fullListing} calls after it`,
      );
    } finally {
      await first.close().catch(() => {});
      await second.close();
      await provider.close();
      await tap.close();
      await upstash.close();
    }
  },
});
