/**
 * `deno task bench:faults`: the hub's bounds under faults and load, on default settings, with
 * real hub processes (src/main.ts) on a real Redis behind the Upstash protocol. Prints one line
 * per figure; the README's "Load and faults" section quotes them.
 */
import { createHubspotSandbox } from "../sandbox/hubspot/sandbox.ts";
import { providerEnv } from "../provider_config.ts";
import { decideOnConsent, TestBrowser } from "../testing/browser.ts";
import { hubEnv, pausableProxy, slowAirtable } from "../testing/faulty_servers.ts";
import { TEST_API_KEY } from "../testing/hub.ts";
import { type HubProcess, startHubProcess } from "../testing/hub_process.ts";
import { serveLocally } from "../testing/local_server.ts";
import { startUpstashForTests } from "../testing/redis_harness.ts";
import { tapUpstash } from "../testing/worker_harness.ts";

const api = { headers: { Authorization: `Bearer ${TEST_API_KEY}` } };
const CLIENTS = (Deno.env.get("FAULTS_CLIENTS") ?? "200,500").split(",").map(Number);

function report(name: string, value: string): void {
  console.log(`${name}: ${value}`);
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function connect(hub: HubProcess, provider: string, userId: string) {
  const browser = new TestBrowser();
  await browser.postForm(`${hub.url}/login`, { user_id: userId, org_id: "acme" });
  const start = await browser.postForm(`${hub.url}/integrations/${provider}/connect`, {});
  return { browser, callback: await decideOnConsent(start.headers.get("location")!, "approve") };
}

const upstash = await startUpstashForTests();
const tap = tapUpstash(upstash, upstash.namespace);
const store = { UPSTASH_REDIS_REST_URL: tap.url, UPSTASH_REDIS_REST_TOKEN: upstash.token };
try {
  // 1. The store layer accepts and never answers.
  {
    const proxy = pausableProxy(tap.url);
    const hub = await startHubProcess(hubEnv({ ...store, UPSTASH_REDIS_REST_URL: proxy.url }));
    proxy.pause();
    const health = await timed(() => fetch(`${hub.url}/health`).then((r) => r.status));
    report("hung store: /health", `${health.value} after ${seconds(health.ms)}`);
    const listed = await timed(() =>
      fetch(`${hub.url}/integrations?user_id=ada&org_id=acme`, api).then((r) => r.status)
    );
    report("hung store: GET /integrations", `${listed.value} after ${seconds(listed.ms)}`);
    await hub.close();
    await proxy.close();
  }

  // 2. A provider that hangs, and a token endpoint that hangs.
  {
    const provider = slowAirtable();
    const hub = await startHubProcess(hubEnv({ ...store, ...provider.env }));
    provider.redirectUris.push(`${hub.url}/integrations/airtable/oauth2callback`);
    const { browser, callback } = await connect(hub, "airtable", "ada");
    await (await browser.request(callback.href)).body?.cancel();
    const items = `${hub.url}/integrations/airtable/items?user_id=ada&org_id=acme&limit=1`;
    provider.delays.apiMs = 120_000;
    const hung = await timed(() => fetch(items, api).then((r) => r.status));
    report("hanging provider API: items", `${hung.value} after ${seconds(hung.ms)}`);
    provider.delays.apiMs = 0;
    provider.delays.tokenMs = 120_000;
    await provider.sandbox.control.expireAccessTokens();
    const refresh = await timed(() => fetch(items, api).then((r) => r.status));
    report("hanging token endpoint: items", `${refresh.value} after ${seconds(refresh.ms)}`);

    // 3. SIGTERM with ten OAuth callbacks in flight (token endpoint 1.5 s).
    provider.delays.tokenMs = 0;
    const started = await Promise.all(
      Array.from({ length: 10 }, (_, i) => connect(hub, "airtable", `user${i}`)),
    );
    provider.delays.tokenMs = 1_500;
    const answers = started.map(({ browser, callback }) =>
      browser.request(callback.href).then((r) => r.status).catch(() => "no answer")
    );
    await new Promise((r) => setTimeout(r, 300));
    const stopped = performance.now();
    hub.kill("SIGTERM");
    const statuses = await Promise.all(answers);
    const exit = await hub.status;
    report(
      "SIGTERM with 10 callbacks in flight",
      `answers ${statuses.join(",")}; exit code ${exit.code} after ${
        seconds(performance.now() - stopped)
      }`,
    );
    await hub.close();
    await provider.close();
  }

  // 4. Many clients on one HubSpot connection (100 calls per 10 s), 50 ms per provider call.
  for (const clients of CLIENTS) {
    const redirectUris: string[] = [];
    const sandbox = createHubspotSandbox({
      clientId: "faults-hubspot",
      clientSecret: "faults-hubspot-secret",
      redirectUris,
      latencyMs: 50,
    });
    const provider = serveLocally(sandbox.app.fetch);
    const hub = await startHubProcess(hubEnv({
      ...store,
      ...providerEnv("hubspot", {
        clientId: "faults-hubspot",
        clientSecret: "faults-hubspot-secret",
        base: provider.url,
      }),
    }));
    redirectUris.push(`${hub.url}/integrations/hubspot/oauth2callback`);
    const { browser, callback } = await connect(hub, "hubspot", "ada");
    await (await browser.request(callback.href)).body?.cancel();
    const items = `${hub.url}/integrations/hubspot/items?user_id=ada&org_id=acme&limit=100`;
    await (await fetch(items, api)).body?.cancel();
    // A fresh window for the measured run.
    await new Promise((r) => setTimeout(r, 10_200));
    const rssBefore = await rssMb(hub.pid);
    const answers = await Promise.all(
      Array.from({ length: clients }, () =>
        timed(async () => {
          const response = await fetch(items, api);
          await response.body?.cancel();
          return { status: response.status, retryAfter: response.headers.get("Retry-After") };
        })),
    );
    const ms = answers.map((a) => a.ms).sort((a, b) => a - b);
    const count = (status: number) => answers.filter((a) => a.value.status === status).length;
    const retryAfter = answers.flatMap((a) =>
      a.value.retryAfter ? [Number(a.value.retryAfter)] : []
    );
    report(
      `${clients} clients, one HubSpot connection`,
      `${count(200)} x 200, ${count(503)} x 503 (Retry-After ${Math.min(...retryAfter)}-${
        Math.max(...retryAfter)
      } s), other ${answers.length - count(200) - count(503)}; median ${
        seconds(ms[Math.floor(ms.length / 2)])
      }, slowest ${
        seconds(ms[ms.length - 1])
      }; provider 429s ${sandbox.control.counters.rateLimited}; hub RSS ${rssBefore} -> ${await rssMb(
        hub.pid,
      )} MB`,
    );
    await hub.close();
    await provider.close();
  }

  // 5. Ten 10 MB bodies at once to POST /api/sessions.
  {
    const hub = await startHubProcess(hubEnv(store));
    const before = await rssMb(hub.pid);
    const big = "x".repeat(10 * 1024 * 1024);
    const statuses = await Promise.all(
      Array.from({ length: 10 }, () =>
        fetch(`${hub.url}/api/sessions`, {
          method: "POST",
          headers: { ...api.headers, "Content-Type": "application/json" },
          body: big,
        }).then(async (r) => {
          await r.body?.cancel();
          return r.status;
        })),
    );
    report(
      "ten 10 MB bodies to /api/sessions",
      `${statuses.join(",")}; hub RSS ${before} -> ${await rssMb(hub.pid)} MB`,
    );
    await hub.close();
  }
} finally {
  await tap.close();
  await upstash.close();
}

async function rssMb(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024);
}
