/**
 * The Workers entries in workerd: builds the deployable bundle exactly as `deno task build:worker`
 * does (wrangler's esbuild, JSX settings from tsconfig.json) and the one with the sandbox
 * providers, runs them in Miniflare 4 with the settings of wrangler.toml, and drives each
 * provider's flow against the sandbox build and against the Deno entry,
 * each on the same Redis through an Upstash-compatible layer with a tap that counts round trips:
 * the answers must be the same. Without a runnable workerd these tests are skipped with a loud
 * warning, except under CI, where that is a failure.
 */
import assert from "node:assert/strict";
import { generateEncryptionKey } from "./crypto/sealer.ts";
import { PROVIDER_IDS } from "./providers/registry.ts";
import { PROVIDERS } from "./providers/registry.ts";
import { createUpstashStore } from "./store/upstash_store.ts";
import { memoryLogger, startHub, TEST_API_KEY } from "./testing/hub.ts";
import { inCi, startTestRedis, startUpstashForTests } from "./testing/redis_harness.ts";
import { buildBundle, startWorker, tapUpstash, workerdProblem } from "./testing/worker_harness.ts";
import { checkFlow, driveFlow, type FlowRecord } from "./testing/worker_flow.ts";

const redis = await startTestRedis();
await redis?.close();
const workerd = await workerdProblem();
if (workerd !== null) {
  const message = `workerd (Miniflare 4) cannot run on this machine: ${workerd}`;
  if (inCi()) throw new Error(message);
  console.error(`\n!!! SKIPPING WORKERS TESTS: ${message}\n`);
}

const ignore = redis === null || workerd !== null;

Deno.test({
  name: "the Worker bundle runs in workerd like the Deno entry",
  ignore,
  fn: async (t) => {
    const bundleDir = await Deno.makeTempDir({ prefix: "hub-worker-" });
    try {
      const deployed = await buildBundle(bundleDir);
      const bundleDirSandbox = `${bundleDir}/sandbox`;
      const sandboxed = await buildBundle(bundleDirSandbox, "src/worker_sandbox.ts");

      await t.step(
        "the bundles fit the Workers size limits; the deployed one has no emulators",
        async () => {
          const sizes = [];
          for (const bundle of [deployed, sandboxed]) {
            const raw = await Deno.readFile(bundle);
            const gzip = await new Response(
              new Blob([raw]).stream().pipeThrough(new CompressionStream("gzip")),
            ).arrayBuffer();
            console.log(
              `${
                bundle.slice(bundleDir.length + 1)
              }: ${raw.length} bytes, gzip ${gzip.byteLength} bytes`,
            );
            // Free plan: 3 MB after compression; keep well under it.
            assert.ok(gzip.byteLength < 1024 * 1024);
            sizes.push(raw.length);
          }
          assert.ok(sizes[0] < sizes[1]);
          // Strings only the emulators send: each sandbox's own header, token prefix or account.
          const emulated = /X-HubSpot-Correlation-Id|sandbox-portal-|"ntn_"|usrSandboxUser/;
          assert.doesNotMatch(await Deno.readTextFile(deployed), emulated);
          assert.match(await Deno.readTextFile(sandboxed), emulated);
        },
      );

      await t.step(
        "the deployed bundle refuses SANDBOX with a 503 that says how to get them",
        async () => {
          const worker = await startWorker(deployed, (url) => ({
            APP_ENV: "development",
            APP_URL: url,
            UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9",
            UPSTASH_REDIS_REST_TOKEN: "unused",
            ENCRYPTION_KEYS: generateEncryptionKey("w1"),
            SESSION_SECRET: "worker-session-secret-0123456789abcdef",
          }));
          try {
            const response = await fetch(`${worker.url}/`);
            assert.equal(response.status, 503);
            const { error } = await response.json();
            assert.equal(error.code, "invalid_configuration");
            assert.match(error.message, /SANDBOX: this build has no sandbox providers/);
            assert.match(error.message, /src\/worker_sandbox\.ts/);
          } finally {
            await worker.close();
          }
        },
      );

      await t.step("without Upstash settings every request answers 503 naming them", async () => {
        const cases = [
          {
            // wrangler.toml's vars alone: production, nothing else set.
            vars: () => ({}),
            named: [
              "APP_URL",
              "UPSTASH_REDIS_REST_URL",
              "ENCRYPTION_KEYS",
              "SESSION_SECRET",
              "API_KEYS",
            ],
            unnamed: [],
          },
          {
            vars: (url: string) => ({ APP_ENV: "development", APP_URL: url }),
            named: ["UPSTASH_REDIS_REST_URL", "ENCRYPTION_KEYS", "SESSION_SECRET"],
            unnamed: ["APP_URL", "API_KEYS"],
          },
        ];
        for (const { vars, named, unnamed } of cases) {
          const worker = await startWorker(sandboxed, vars);
          try {
            const requests = ["GET /", "GET /static/app.css", "POST /login", "GET /health"];
            for (const [method, path] of requests.map((r) => r.split(" "))) {
              const response = await fetch(`${worker.url}${path}`, { method });
              assert.equal(response.status, 503);
              const body = await response.json();
              assert.equal(body.error.code, "invalid_configuration");
              for (const name of named) assert.match(body.error.message, new RegExp(name));
              for (const name of unnamed) assert.doesNotMatch(body.error.message, new RegExp(name));
            }
          } finally {
            await worker.close();
          }
        }
      });

      for (const provider of PROVIDER_IDS) {
        const name = PROVIDERS[provider].displayName;
        await t.step(`the ${name} flow answers the same on workerd as on Deno`, async () => {
          const upstash = await startUpstashForTests();
          const denoTap = tapUpstash(upstash, `${upstash.namespace}deno:`);
          const workerTap = tapUpstash(upstash, `${upstash.namespace}worker:`);
          const hubLog = memoryLogger();
          const hub = startHub({
            store: createUpstashStore({ url: denoTap.url, token: upstash.token }),
            log: hubLog,
          });
          const worker = await startWorker(sandboxed, (url) => ({
            APP_ENV: "development",
            APP_URL: url,
            UPSTASH_REDIS_REST_URL: workerTap.url,
            UPSTASH_REDIS_REST_TOKEN: upstash.token,
            ENCRYPTION_KEYS: generateEncryptionKey("w1"),
            SESSION_SECRET: "worker-session-secret-0123456789abcdef",
            API_KEYS: TEST_API_KEY,
            SYNC_INTERVAL_MINUTES: "0",
            // The free plan's default of 20 calls (each with its pacer round trip) would end
            // the Airtable seed listing with a next_cursor; Deno lists it whole.
            PROVIDER_CALL_BUDGET: "40",
          }));
          try {
            const denoTrace: Record<string, string[]> = {};
            const workerTrace: Record<string, string[]> = {};
            const onDeno = await driveFlow(
              hub.url,
              denoTap,
              provider,
              () => hubLog.lines.join("\n"),
              denoTrace,
            );
            let onWorker: FlowRecord;
            try {
              onWorker = await driveFlow(
                worker.url,
                workerTap,
                provider,
                () => worker.logs.join(""),
                workerTrace,
              );
            } catch (error) {
              console.error(`workerd output:\n${worker.logs.join("")}`);
              throw error;
            }
            try {
              assert.deepEqual(onWorker, onDeno);
            } catch (error) {
              const trips = (flow: FlowRecord) => flow.roundTrips as Record<string, number>;
              for (const [name, count] of Object.entries(trips(onWorker))) {
                if (count === trips(onDeno)[name]) continue;
                console.error(`${name} on Deno:\n${denoTrace[name]?.join("\n")}`);
                console.error(`${name} on workerd:\n${workerTrace[name]?.join("\n")}`);
              }
              throw error;
            }
            console.log(
              `${name}: Upstash round trips per request: ${
                JSON.stringify(onWorker.roundTrips)
              }, of them the pacer's: ${JSON.stringify(onWorker.pacingTrips)}`,
            );
            checkFlow(onWorker, provider);
            // The session's record (sign-out ends it server-side), then every card's records.
            assert.equal((onWorker.roundTrips as Record<string, number>).dashboard, 2);
            // Live listings took their slots from the pacer in Upstash.
            assert.ok((onWorker.pacingTrips as Record<string, number>).items >= 1);
            assert.doesNotMatch(worker.logs.join(""), /different request|Cannot perform I\/O/);
            // The sandbox was served in process: the Worker's only network peer was Upstash.
            assert.ok(worker.outbound.length > 0);
            assert.deepEqual(worker.outbound.filter((u) => !u.startsWith(workerTap.url)), []);
          } finally {
            await worker.close();
            await hub.close();
            await denoTap.close();
            await workerTap.close();
            await upstash.close();
          }
        });
      }

      await t.step(
        "a token refresh adds four round trips to an items request (lock, re-read, save, release)",
        async () => {
          const upstash = await startUpstashForTests();
          const tap = tapUpstash(upstash, upstash.namespace);
          // Tokens live 30 minutes: with a one-hour margin every use refreshes first.
          const hubLog = memoryLogger();
          const hub = startHub({
            store: createUpstashStore({ url: tap.url, token: upstash.token }),
            refreshMarginMs: 60 * 60 * 1000,
            log: hubLog,
          });
          try {
            const flow = await driveFlow(hub.url, tap, "hubspot", () => hubLog.lines.join("\n"));
            const trips = flow.roundTrips as Record<string, number>;
            const pacing = flow.pacingTrips as Record<string, number>;
            console.log(`... when every request refreshes the token: ${JSON.stringify(trips)}`);
            // Without a refresh: the sync status (no copy yet, so live) and the connection;
            // the pacer's round trips (one per provider call at most) come on top.
            assert.ok(pacing["items page"] >= 1);
            assert.equal(trips["items page"] - pacing["items page"], 2 + 4);
          } finally {
            await hub.close();
            await tap.close();
            await upstash.close();
          }
        },
      );
    } finally {
      await Deno.remove(bundleDir, { recursive: true });
    }
  },
});
