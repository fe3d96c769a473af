/**
 * The Worker's Cron Trigger in workerd: a first sync too large for one invocation completes
 * across scheduled() invocations, each within the free plan's 50 subrequests, counted as
 * Cloudflare counts them: every HTTP request to Upstash (the tap) and every provider call (the
 * hub's "provider call" lines; the sandbox is served in process, but a real provider would be a
 * subrequest).
 */
import assert from "node:assert/strict";
import { generateEncryptionKey } from "./crypto/sealer.ts";
import { createHubspotSandbox } from "./sandbox/hubspot/sandbox.ts";
import { syncKey } from "./sync/engine.ts";
import { connectThroughConsent } from "./testing/browser.ts";
import { TEST_API_KEY } from "./testing/hub.ts";
import { inCi, startTestRedis, startUpstashForTests } from "./testing/redis_harness.ts";
import {
  buildBundle,
  type RunningWorker,
  startWorker,
  tapUpstash,
  workerdProblem,
} from "./testing/worker_harness.ts";
import { WORKER_SUBREQUESTS } from "./worker_handler.ts";

const redis = await startTestRedis();
await redis?.close();
const workerd = await workerdProblem();
if (workerd !== null) {
  const message = `workerd (Miniflare 4) cannot run on this machine: ${workerd}`;
  if (inCi()) throw new Error(message);
  console.error(`\n!!! SKIPPING WORKERS SYNC TEST: ${message}\n`);
}

const ADDED_DEALS = 1600;
const OWNER = { userId: "ada", orgId: "acme" };
const QUERY = `user_id=${OWNER.userId}&org_id=${OWNER.orgId}`;

/** The sandbox's seeded live items, as the hub names them (the Worker's sandbox is built alike). */
function seededIds(): string[] {
  const { control } = createHubspotSandbox({ clientId: "x", clientSecret: "y", redirectUris: [] });
  const { contacts, companies, deals } = control.data;
  return [
    ...contacts.filter((r) => !r.archived).map((r) => `contact:${r.id}`),
    ...companies.filter((r) => !r.archived).map((r) => `company:${r.id}`),
    ...deals.filter((r) => !r.archived).map((r) => `deal:${r.id}`),
  ];
}

/** "provider call" lines the Worker has logged so far (its output arrives in pieces). */
function providerCalls(worker: RunningWorker): number {
  return worker.logs.join("").split('"provider call"').length - 1;
}

/** Waits until the Worker's output stops growing: the lines of what just ran are all in. */
async function settledLogs(worker: RunningWorker): Promise<void> {
  for (let size = -1; size !== worker.logs.join("").length;) {
    size = worker.logs.join("").length;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

Deno.test({
  name: "the Cron Trigger completes a multi-step first sync, each invocation within 50 subrequests",
  ignore: redis === null || workerd !== null,
  fn: async () => {
    const bundleDir = await Deno.makeTempDir({ prefix: "hub-worker-sync-" });
    const upstash = await startUpstashForTests();
    const namespace = `${upstash.namespace}worker:`;
    const tap = tapUpstash(upstash, namespace);
    let worker: RunningWorker | null = null;
    try {
      const bundle = await buildBundle(bundleDir, "src/worker_sandbox.ts");
      worker = await startWorker(bundle, (url) => ({
        APP_ENV: "development",
        APP_URL: url,
        UPSTASH_REDIS_REST_URL: tap.url,
        UPSTASH_REDIS_REST_TOKEN: upstash.token,
        ENCRYPTION_KEYS: generateEncryptionKey("w1"),
        SESSION_SECRET: "worker-session-secret-0123456789abcdef",
        API_KEYS: TEST_API_KEY,
        SYNC_INTERVAL_MINUTES: "15",
      }));
      const base = worker.url;
      const api = async (path: string, init?: RequestInit) => {
        const response = await fetch(`${base}${path}`, {
          ...init,
          headers: { Authorization: `Bearer ${TEST_API_KEY}` },
        });
        return { status: response.status, body: await response.json() };
      };

      const added: { id: string; name: string }[] = [];
      for (let i = 0; i < ADDED_DEALS; i += 50) {
        const names = Array.from({ length: 50 }, (_, j) => `Cron deal ${i + j}`);
        await Promise.all(names.map(async (name) => {
          const response = await fetch(`${base}/sandbox/hubspot/edit`, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ action: "add", type: "deals", name }),
          });
          const answer = await response.json();
          assert.equal(response.status, 200, answer.message);
          added.push({ id: `deal:${answer.message.match(/deals (\d+)/)[1]}`, name });
        }));
      }
      const expected = new Set([...seededIds(), ...added.map((a) => a.id)]);
      assert.equal(expected.size, 563 + ADDED_DEALS);

      await connectThroughConsent(base, "hubspot", OWNER.userId);
      // The run the connect started (in the callback's invocation) ends within what that
      // request leaves of its subrequests, and lets its lease go.
      const lease = `${namespace}${syncKey("hubspot", OWNER)}:lease`;
      const deadline = Date.now() + 60_000;
      while (
        (await api(`/integrations/hubspot/status?${QUERY}`)).body.sync.state === "never" ||
        await upstash.redis.sendCommand(["EXISTS", lease]) === 1
      ) {
        assert.ok(Date.now() < deadline, "the connect's run never let its lease go");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await settledLogs(worker);

      const invocations: { store: number; calls: number; done: number }[] = [];
      for (let state = "running"; state !== "ok";) {
        assert.ok(invocations.length < 40, "the sync moved on at every invocation");
        const store = tap.requests;
        const calls = providerCalls(worker);
        const result = await worker.scheduled("* * * * *");
        assert.equal(result.outcome, "ok");
        const storeRequests = tap.requests - store;
        await settledLogs(worker);
        const { sync } = (await api(`/integrations/hubspot/status?${QUERY}`)).body;
        invocations.push({
          store: storeRequests,
          calls: providerCalls(worker) - calls,
          done: sync.progress?.done ?? sync.items,
        });
        state = sync.state;
        assert.notEqual(state, "failed", JSON.stringify(sync.last_error));
        // Nothing holds the lease between invocations: the next one can go on at once.
        assert.equal(await upstash.redis.sendCommand(["EXISTS", lease]), 0);
      }
      console.log(
        `per invocation (Upstash requests + provider calls = subrequests; items so far):\n${
          invocations.map((i) => `  ${i.store} + ${i.calls} = ${i.store + i.calls}; ${i.done}`)
            .join("\n")
        }`,
      );
      assert.ok(invocations.length > 1, "the first sync took several invocations");
      for (const { store, calls } of invocations) {
        assert.ok(store + calls <= 50, `${store} + ${calls} subrequests in one invocation`);
        assert.ok(store + calls <= WORKER_SUBREQUESTS);
      }
      assert.ok(invocations.every((i, n) => n === 0 || i.done >= invocations[n - 1].done));

      const copy = new Map<string, string>();
      for (let cursor: string | null = null, first = true; first || cursor !== null;) {
        first = false;
        const page: { status: number; body: Record<string, unknown> } = await api(
          `/integrations/hubspot/items?${QUERY}&limit=1000` +
            (cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`),
        );
        assert.equal(page.status, 200);
        assert.notEqual(page.body.synced_at, null, "served from the copy");
        for (const item of page.body.items as { id: string; name: string }[]) {
          assert.ok(!copy.has(item.id), `${item.id} twice in the copy`);
          copy.set(item.id, item.name);
        }
        cursor = page.body.next_cursor as string | null;
      }
      assert.deepEqual(new Set(copy.keys()), expected);
      for (const { id, name } of added) assert.equal(copy.get(id), name);
    } catch (error) {
      if (worker !== null) console.error(`workerd output:\n${worker.logs.join("").slice(-5000)}`);
      throw error;
    } finally {
      await worker?.close();
      await tap.close();
      await upstash.close();
      await Deno.remove(bundleDir, { recursive: true });
    }
  },
});
