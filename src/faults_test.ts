/**
 * Faults against real hub processes (src/main.ts) on a real Redis behind the Upstash protocol:
 * a store layer that hangs, a provider that hangs, a rate-limit queue over its bound, and
 * SIGTERM with requests in flight. Each bound is checked as "answered within the bound plus
 * slack"; the measured figures are in the README (Load and faults).
 */
import assert from "node:assert/strict";
import { keys } from "./store/keys.ts";
import { decideOnConsent, TestBrowser } from "./testing/browser.ts";
import {
  hubEnv,
  pausableProxy,
  type SlowAirtable,
  slowAirtable,
} from "./testing/faulty_servers.ts";
import { TEST_API_KEY } from "./testing/hub.ts";
import { type HubProcess, startHubProcess } from "./testing/hub_process.ts";
import { replyText } from "./testing/resp.ts";
import { startTestRedis, startUpstashForTests, type TestUpstash } from "./testing/redis_harness.ts";
import { tapUpstash } from "./testing/worker_harness.ts";

const redis = await startTestRedis();
await redis?.close();

/** Slack for a loaded 2-core machine on top of a bound under test. */
const SLACK_MS = 1_500;
const api = { headers: { Authorization: `Bearer ${TEST_API_KEY}` } };

/** The three things every test here runs on; closed in reverse. */
async function withRig(
  settings: Record<string, string>,
  fn: (rig: { hub: HubProcess; provider: SlowAirtable; upstash: TestUpstash }) => Promise<void>,
): Promise<void> {
  const upstash = await startUpstashForTests();
  // The hub's store takes no key prefix: the tap puts this test's keys under its namespace.
  const tap = tapUpstash(upstash, upstash.namespace);
  const provider = slowAirtable();
  const hub = await startHubProcess(hubEnv({
    UPSTASH_REDIS_REST_URL: settings.UPSTASH_REDIS_REST_URL ?? tap.url,
    UPSTASH_REDIS_REST_TOKEN: upstash.token,
    ...provider.env,
    ...settings,
  }));
  provider.redirectUris.push(`${hub.url}/integrations/airtable/oauth2callback`);
  try {
    await fn({ hub, provider, upstash });
  } finally {
    await hub.close();
    await provider.close();
    await tap.close();
    await upstash.close();
  }
}

/** Signs a user in and takes them to the provider and back: the callback URL, not yet opened. */
async function callbackFor(hub: HubProcess, userId: string) {
  const browser = new TestBrowser();
  await browser.postForm(`${hub.url}/login`, { user_id: userId, org_id: "acme" });
  const start = await browser.postForm(`${hub.url}/integrations/airtable/connect`, {});
  const callback = await decideOnConsent(start.headers.get("location")!, "approve");
  return { browser, callback };
}

async function connect(hub: HubProcess, userId: string): Promise<void> {
  const { browser, callback } = await callbackFor(hub, userId);
  const answer = await browser.request(callback.href);
  assert.equal(answer.status, 303);
  assert.equal(answer.headers.get("location"), "/?connected=airtable");
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

async function items(hub: HubProcess, userId = "ada") {
  const response = await fetch(
    `${hub.url}/integrations/airtable/items?user_id=${userId}&org_id=acme&limit=1`,
    api,
  );
  return {
    status: response.status,
    retryAfter: response.headers.get("Retry-After"),
    body: await response.json(),
  };
}

Deno.test({
  name: "a paused store layer: /health says 503 within 5 s, API calls 503 store_unavailable",
  ignore: redis === null,
  sanitizeResources: false,
  fn: async () => {
    const upstash = await startUpstashForTests();
    const tap = tapUpstash(upstash, upstash.namespace);
    const proxy = pausableProxy(tap.url);
    const hub = await startHubProcess(hubEnv({
      UPSTASH_REDIS_REST_URL: proxy.url,
      UPSTASH_REDIS_REST_TOKEN: upstash.token,
    }));
    try {
      assert.equal((await fetch(`${hub.url}/health`)).status, 200);
      proxy.pause();
      const health = await timed(() => fetch(`${hub.url}/health`));
      assert.equal(health.value.status, 503);
      assert.equal((await health.value.json()).error.code, "store_unavailable");
      assert.ok(health.ms < 5_000, `/health took ${health.ms} ms`);

      const listed = await timed(() =>
        fetch(`${hub.url}/integrations?user_id=ada&org_id=acme`, api)
      );
      assert.equal(listed.value.status, 503);
      assert.deepEqual(await listed.value.json(), {
        error: {
          code: "store_unavailable",
          message: "The hub's store is unavailable; try again shortly.",
        },
      });
      assert.ok(listed.ms < 2 * 2_000 + SLACK_MS, `the API call took ${listed.ms} ms`);

      proxy.resume();
      assert.equal((await fetch(`${hub.url}/health`)).status, 200);
    } finally {
      await hub.close();
      await proxy.close();
      await tap.close();
      await upstash.close();
    }
  },
});

Deno.test({
  name: "a hanging provider: 504 provider_timeout, and a hanging token endpoint a 502, in time",
  ignore: redis === null,
  sanitizeResources: false,
  fn: () =>
    withRig(
      { PROVIDER_TRY_TIMEOUT_MS: "1000", PROVIDER_CALL_TIMEOUT_MS: "2000" },
      async ({ hub, provider }) => {
        await connect(hub, "ada");
        provider.delays.apiMs = 60_000;
        const hung = await timed(() => items(hub));
        assert.equal(hung.value.status, 504, JSON.stringify(hung.value.body));
        assert.deepEqual(hung.value.body, {
          error: {
            code: "provider_timeout",
            message: "Airtable did not answer within 2 s; try again shortly.",
          },
        });
        assert.ok(hung.ms >= 1_900 && hung.ms < 2_000 + SLACK_MS, `took ${hung.ms} ms`);

        // The provider rejects the token; its token endpoint hangs: the refresh is bounded too.
        provider.delays.apiMs = 0;
        provider.delays.tokenMs = 60_000;
        await provider.sandbox.control.expireAccessTokens();
        const refresh = await timed(() => items(hub));
        assert.equal(refresh.value.status, 502, JSON.stringify(refresh.value.body));
        assert.equal(refresh.value.body.error.code, "provider_error");
        assert.ok(refresh.ms < 2_000 + SLACK_MS, `took ${refresh.ms} ms`);
      },
    ),
});

Deno.test({
  name: "a rate-limit queue over its bound: 503 provider_rate_limited with Retry-After, no 429",
  ignore: redis === null,
  sanitizeResources: false,
  fn: () =>
    withRig({ RATE_LIMIT_WAIT_MS: "0" }, async ({ hub, provider }) => {
      await connect(hub, "ada");
      // Connecting asked whoami, which took one of the token's slots from the pacer: the burst
      // below shares its second with it.
      // The bases list counts against the token's 50 calls a second: of 80 single-call
      // listings at once, 50 fit the first second and the rest would have to wait for the
      // next, past a bound of 0.
      const answers = await Promise.all(Array.from({ length: 80 }, () => timed(() => items(hub))));
      const ok = answers.filter((a) => a.value.status === 200);
      const shed = answers.filter((a) => a.value.status === 503);
      assert.equal(ok.length + shed.length, answers.length);
      assert.ok(ok.length >= 10, `${ok.length} answered`);
      assert.ok(shed.length >= 10, `${shed.length} shed`);
      for (const { value } of shed) {
        assert.equal(value.body.error.code, "provider_rate_limited");
        assert.ok(Number(value.retryAfter) >= 1, `Retry-After: ${value.retryAfter}`);
      }
      const slowest = Math.max(...answers.map((a) => a.ms));
      // Nothing waits for a slot: what remains is 80 requests' work on a loaded machine.
      assert.ok(slowest < 2 * SLACK_MS, `the slowest answer took ${slowest} ms`);
      assert.equal(provider.sandbox.control.counters.rateLimited, 0);
    }),
});

Deno.test({
  name: "SIGTERM: OAuth callbacks in flight are each answered, then the process exits 0",
  ignore: redis === null,
  sanitizeResources: false,
  fn: () =>
    withRig({ SHUTDOWN_DRAIN_SECONDS: "5" }, async ({ hub, provider }) => {
      const started = await Promise.all(
        Array.from({ length: 10 }, (_, i) => callbackFor(hub, `user${i}`)),
      );
      provider.delays.tokenMs = 1_500;
      const answers = started.map(({ browser, callback }) => browser.request(callback.href));
      await new Promise((r) => setTimeout(r, 300));
      const stopped = performance.now();
      hub.kill("SIGTERM");
      for (const answer of await Promise.all(answers)) {
        assert.equal(answer.status, 303);
        assert.equal(answer.headers.get("location"), "/?connected=airtable");
      }
      const status = await hub.status;
      const ms = performance.now() - stopped;
      assert.equal(status.code, 0);
      assert.ok(ms < 5_000, `exited ${ms} ms after SIGTERM`);
      await assert.rejects(fetch(`${hub.url}/health`), "a stopped hub accepts nothing");
      assert.match(hub.output(), /"outcome":"drained"/);
    }),
});

Deno.test({
  name: "SIGTERM past the drain timeout: exits 0 in time and releases the refresh lock it held",
  ignore: redis === null,
  sanitizeResources: false,
  fn: () =>
    withRig({ SHUTDOWN_DRAIN_SECONDS: "1" }, async ({ hub, provider, upstash }) => {
      await connect(hub, "ada");
      await provider.sandbox.control.expireAccessTokens();
      provider.delays.tokenMs = 60_000;
      const cut = items(hub).catch((error) => error);
      const lock = upstash.namespace + keys.refreshLock("airtable", "acme", "ada");
      const held = async () => replyText(await upstash.redis.sendCommand(["GET", lock])) !== null;
      while (!(await held())) await new Promise((r) => setTimeout(r, 50));

      const stopped = performance.now();
      hub.kill("SIGTERM");
      const status = await hub.status;
      const ms = performance.now() - stopped;
      assert.equal(status.code, 0);
      assert.ok(ms < 1_000 + SLACK_MS, `exited ${ms} ms after SIGTERM`);
      assert.equal(await held(), false, "the refresh lock is released, not left to its TTL");
      assert.match(hub.output(), /"outcome":"drain_timeout"[^\n]*"released_locks":1/);
      await cut;
    }),
});
