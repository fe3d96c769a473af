/**
 * Secrets at rest, for every provider: after connecting each one through its sandbox on the
 * Upstash store (over a real Redis), the raw Redis values hold no access token, no refresh
 * token and no client secret, and the tokens still open with the hub's keys.
 */
import assert from "node:assert/strict";
import { Connections } from "./connections/connections.ts";
import { Sealer } from "./crypto/sealer.ts";
import { PROVIDER_IDS, type ProviderId } from "./providers/registry.ts";
import { createAirtableSandbox } from "./sandbox/airtable/sandbox.ts";
import { createHubspotSandbox } from "./sandbox/hubspot/sandbox.ts";
import { createNotionSandbox } from "./sandbox/notion/sandbox.ts";
import { createUpstashStore } from "./store/upstash_store.ts";
import { rawNamespace, startTestRedis, startUpstashForTests } from "./testing/redis_harness.ts";
import { PROVIDER_CLIENT_SECRET, startProviderHub } from "./testing/provider_hub.ts";

const SANDBOXES = {
  hubspot: createHubspotSandbox,
  airtable: createAirtableSandbox,
  notion: createNotionSandbox,
} satisfies Record<ProviderId, unknown>;

const KEYS = [{ id: "rest1", key: crypto.getRandomValues(new Uint8Array(32)) }];

const redis = await startTestRedis();
await redis?.close();

for (const provider of PROVIDER_IDS) {
  Deno.test({
    name: `${provider}: raw Redis holds no token or client secret after connecting`,
    ignore: redis === null,
    fn: async () => {
      const upstash = await startUpstashForTests();
      const store = createUpstashStore(upstash);
      const t = await startProviderHub({
        provider,
        store,
        encryptionKeys: KEYS,
        makeSandbox: SANDBOXES[provider] as Parameters<typeof startProviderHub>[0]["makeSandbox"],
      });
      try {
        assert.equal((await t.connect()).location, `/?connected=${provider}`);
        assert.equal((await t.call(`/integrations/${provider}/items?limit=5`)).status, 200);
        const connection = await new Connections(store, new Sealer(KEYS)).get(provider, {
          userId: "alice",
          orgId: "acme",
        });
        assert.ok(connection, "the connection is stored");
        const secrets = [connection.tokens.accessToken, PROVIDER_CLIENT_SECRET];
        if (connection.tokens.refreshToken) secrets.push(connection.tokens.refreshToken);
        const raw = await rawNamespace(upstash);
        assert.ok(raw.length > 0);
        const everything = [...raw, ...t.log.lines, ...t.answers].join("\n");
        for (const secret of secrets) {
          assert.ok(secret.length >= 8);
          assert.ok(!everything.includes(secret), `a secret of ${provider} is readable at rest`);
        }
      } finally {
        await t.close();
        await upstash.close();
      }
    },
  });
}
