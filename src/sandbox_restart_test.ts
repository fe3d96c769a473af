/**
 * Restarting the hub keeps sandbox connections working: the mounted sandboxes keep what they
 * hand out in the hub's store. Real hub processes (src/main.ts) one after another in one kept
 * directory, on the embedded store and on Redis behind the Upstash-compatible layer:
 *   1. connect with sandbox access tokens that live one second, and list;
 *   2. restart once they have expired: the hub must refresh with the refresh token issued
 *      before the restart (the rotating ones too), then list the same items;
 *   3. restart again: the access token the process before got (of the default lifetime) is
 *      accepted as it is, no refresh, and the browser session is still signed in.
 */
import assert from "node:assert/strict";
import { PROVIDER_IDS, type ProviderId } from "./providers/registry.ts";
import { connectThroughConsent } from "./testing/browser.ts";
import { TEST_API_KEY } from "./testing/hub.ts";
import { type HubProcess, startHubProcess } from "./testing/hub_process.ts";
import { freePort } from "./testing/local_server.ts";
import { startTestRedis, startUpstashForTests } from "./testing/redis_harness.ts";
import { tapUpstash } from "./testing/worker_harness.ts";

const redis = await startTestRedis();
await redis?.close();

const OWNER = "user_id=ada&org_id=acme";

/** Every item id, page after page, through the JSON API. */
async function listIds(hub: HubProcess, provider: ProviderId): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `${OWNER}&limit=100${cursor ? `&cursor=${cursor}` : ""}`;
    const response = await fetch(`${hub.url}/integrations/${provider}/items?${query}`, {
      headers: { Authorization: `Bearer ${TEST_API_KEY}` },
    });
    const body = await response.json();
    assert.equal(response.status, 200, JSON.stringify(body));
    ids.push(...body.items.map((item: { id: string }) => item.id));
    cursor = body.next_cursor;
  } while (cursor !== null);
  return ids;
}

async function status(hub: HubProcess, provider: ProviderId): Promise<string> {
  const response = await fetch(`${hub.url}/integrations/${provider}/status?${OWNER}`, {
    headers: { Authorization: `Bearer ${TEST_API_KEY}` },
  });
  return (await response.json()).status;
}

/** The outcomes of the token refreshes a process logged. */
function refreshes(hub: HubProcess): string[] {
  return hub.output().split("\n").filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line))
    .filter((line) => line.message === "token refresh")
    .map((line) => line.outcome);
}

for (const store of ["embedded", "upstash"] as const) {
  for (const provider of PROVIDER_IDS) {
    Deno.test({
      name: `a ${provider} sandbox connection survives hub restarts (${store} store)`,
      ignore: store === "upstash" && redis === null,
      sanitizeResources: false,
      fn: async () => {
        const dir = await Deno.makeTempDir({ prefix: "hub-restart-" });
        const upstash = store === "upstash" ? await startUpstashForTests() : null;
        const tap = upstash && tapUpstash(upstash, upstash.namespace);
        const env: Record<string, string> = {
          APP_ENV: "development",
          API_KEYS: TEST_API_KEY,
          ...(upstash && tap
            ? { UPSTASH_REDIS_REST_URL: tap.url, UPSTASH_REDIS_REST_TOKEN: upstash.token }
            : {}),
        };
        const shortTokens = { ...env, SANDBOX_TOKEN_TTL_SECONDS: "1" };
        const port = freePort();
        let hub = await startHubProcess(shortTokens, { dir, port });
        try {
          const browser = await connectThroughConsent(hub.url, provider);
          const before = await listIds(hub, provider);
          assert.ok(before.length > 0);

          await hub.close();
          await new Promise((resolve) => setTimeout(resolve, 1100));
          hub = await startHubProcess(env, { dir, port });
          assert.deepEqual(await listIds(hub, provider), before);
          // Notion tells no lifetime: the hub learns of the expiry from a 401.
          const expected = provider === "notion" ? "refreshed_after_401" : "refreshed";
          assert.deepEqual(refreshes(hub), [expected], "the pre-restart refresh token worked");
          assert.equal(await status(hub, provider), "connected");

          await hub.close();
          hub = await startHubProcess(env, { dir, port });
          assert.deepEqual(await listIds(hub, provider), before);
          assert.deepEqual(refreshes(hub), [], "the pre-restart access token was accepted");
          assert.equal(await status(hub, provider), "connected");
          const dashboard = await browser.request(`${hub.url}/`);
          assert.equal(dashboard.status, 200, "the session outlived the restarts");
          assert.match(await dashboard.text(), /ada/);
        } finally {
          await hub.close();
          await Deno.remove(dir, { recursive: true });
          await tap?.close();
          await upstash?.close();
        }
      },
    });
  }
}
