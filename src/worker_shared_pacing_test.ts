/**
 * The Worker build (the deployed bundle, in workerd) and a Deno hub process share one pacer
 * through Upstash: two users on one HubSpot portal and one set of Airtable bases list through
 * both at once, with concurrent requests into the Worker. The sandboxes run in processes of
 * their own and count as the providers do (per portal, per base and per token, whoever calls),
 * so pacing kept per runtime would draw 429s. Without a runnable workerd the test is skipped
 * with a loud warning, except under CI, where that is a failure.
 */
import assert from "node:assert/strict";
import { generateEncryptionKey } from "./crypto/sealer.ts";
import { connectThroughConsent } from "./testing/browser.ts";
import { TEST_API_KEY } from "./testing/hub.ts";
import { startHubProcess } from "./testing/hub_process.ts";
import { inCi, startTestRedis, startUpstashForTests } from "./testing/redis_harness.ts";
import { startSandboxProcess } from "./testing/sandbox_process.ts";
import { buildBundle, startWorker, tapUpstash, workerdProblem } from "./testing/worker_harness.ts";

const redis = await startTestRedis();
await redis?.close();
const workerd = await workerdProblem();
if (workerd !== null) {
  const message = `workerd (Miniflare 4) cannot run on this machine: ${workerd}`;
  if (inCi()) throw new Error(message);
  console.error(`\n!!! SKIPPING WORKERS TESTS: ${message}\n`);
}

const USERS = ["ada", "grace"];

async function items(base: string, provider: string, user: string) {
  const response = await fetch(
    `${base}/integrations/${provider}/items?user_id=${user}&org_id=acme`,
    { headers: { Authorization: `Bearer ${TEST_API_KEY}` } },
  );
  return { status: response.status, body: await response.json() };
}

Deno.test({
  name: "a Worker in workerd and a Deno hub process share one pacer: never over a limit",
  ignore: redis === null || workerd !== null,
  sanitizeResources: false,
  fn: async () => {
    const bundleDir = await Deno.makeTempDir({ prefix: "hub-worker-pacing-" });
    const upstash = await startUpstashForTests();
    // One namespace, two taps: the same keys, each runtime's round trips counted apart.
    const denoTap = tapUpstash(upstash, upstash.namespace);
    const workerTap = tapUpstash(upstash, upstash.namespace);
    const [hubspot, airtable] = await Promise.all([
      startSandboxProcess("hubspot"),
      startSandboxProcess("airtable"),
    ]);
    const shared = {
      APP_ENV: "development",
      SANDBOX: "false",
      ENCRYPTION_KEYS: generateEncryptionKey("k1"),
      SESSION_SECRET: "shared-pacing-session-secret-0123456789",
      API_KEYS: TEST_API_KEY,
      UPSTASH_REDIS_REST_TOKEN: upstash.token,
      SYNC_INTERVAL_MINUTES: "0",
      RATE_LIMIT_WAIT_MS: "60000",
      ...hubspot.env,
      ...airtable.env,
    };
    const deno = await startHubProcess({ ...shared, UPSTASH_REDIS_REST_URL: denoTap.url });
    const bundle = await buildBundle(bundleDir);
    const worker = await startWorker(bundle, (url) => ({
      ...shared,
      APP_URL: url,
      UPSTASH_REDIS_REST_URL: workerTap.url,
      // A seed listing whole in one answer, as on Deno (each call also has its pacer trip).
      PROVIDER_CALL_BUDGET: "40",
    }));
    try {
      for (const provider of ["hubspot", "airtable"] as const) {
        const sandbox = provider === "hubspot" ? hubspot : airtable;
        await sandbox.register(`${deno.url}/integrations/${provider}/oauth2callback`);
        for (const user of USERS) await connectThroughConsent(deno.url, provider, user);
      }
      const [hubspotBefore, airtableBefore] = [await hubspot.counters(), await airtable.counters()];
      const trips = { deno: denoTap.pacing, worker: workerTap.pacing };
      // Per runtime and user: HubSpot listed four times, Airtable twice, all at once: 16
      // HubSpot listings of 7 calls (112: more than a 10-second window holds, though each
      // runtime's own 56 would fit) and 8 Airtable listings of 6 calls on the busiest base
      // (48 calls on it: ten seconds at five a second; each runtime alone would go at five).
      const answers = await Promise.all(
        [deno.url, worker.url].flatMap((base) =>
          USERS.flatMap((user) => [
            ...[0, 1].map(() => items(base, "airtable", user)),
            ...[0, 1, 2, 3].map(() => items(base, "hubspot", user)),
          ])
        ),
      );
      for (const answer of answers) assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const [hubspotAfter, airtableAfter] = [await hubspot.counters(), await airtable.counters()];
      assert.equal(hubspotAfter.rateLimited - hubspotBefore.rateLimited, 0, "HubSpot answered 429");
      assert.ok(hubspotAfter.crmCalls - hubspotBefore.crmCalls >= 112);
      assert.equal(
        airtableAfter.rateLimited - airtableBefore.rateLimited,
        0,
        `Airtable answered 429: ${JSON.stringify(airtableAfter.perBase)}`,
      );
      const bases = Object.entries(airtableAfter.perBase) as [
        string,
        { requests: number; maxPerSecond: number },
      ][];
      for (const [base, stats] of bases) {
        assert.ok(stats.maxPerSecond <= 5, `${base} saw ${stats.maxPerSecond} calls in a second`);
      }
      const busiest = Math.max(...bases.map(([, stats]) => stats.requests));
      assert.ok(busiest >= 48, `the busiest base saw ${busiest} calls`);
      // Both runtimes took their slots from the pacer in Upstash.
      assert.ok(denoTap.pacing - trips.deno > 0, "the Deno process paced through Upstash");
      assert.ok(workerTap.pacing - trips.worker > 0, "the Worker paced through Upstash");
      assert.doesNotMatch(worker.logs.join(""), /different request|Cannot perform I\/O/);
    } catch (error) {
      console.error(`workerd output:\n${worker.logs.join("")}`);
      throw error;
    } finally {
      await worker.close();
      await deno.close();
      await Promise.all([hubspot.close(), airtable.close()]);
      await denoTap.close();
      await workerTap.close();
      await upstash.close();
      await Deno.remove(bundleDir, { recursive: true });
    }
  },
});
