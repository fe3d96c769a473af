/**
 * The Workers entry in workerd: builds the deployable bundle exactly as `deno task build:worker`
 * does (wrangler's esbuild, JSX settings from tsconfig.json), runs it in Miniflare 4 with the
 * settings of wrangler.toml, and drives each provider's flow against it and against the Deno entry,
 * each on the same Redis through an Upstash-compatible layer with a tap that counts round trips:
 * the answers must be the same. Without a runnable workerd these tests are skipped with a loud
 * warning, except under CI, where that is a failure.
 */
import assert from "node:assert/strict";
import { generateEncryptionKey } from "./crypto/sealer.ts";
import { PROVIDER_IDS, type ProviderId } from "./providers/ids.ts";
import { PROVIDERS } from "./providers/registry.ts";
import { createAirtableSandbox } from "./sandbox/airtable/sandbox.ts";
import { createHubspotSandbox } from "./sandbox/hubspot/sandbox.ts";
import { createNotionSandbox } from "./sandbox/notion/sandbox.ts";
import { createUpstashStore } from "./store/upstash_store.ts";
import { formFields, TestBrowser } from "./testing/browser.ts";
import { startHub, TEST_API_KEY } from "./testing/hub.ts";
import { inCi, startTestRedis, startUpstashForTests } from "./testing/redis_harness.ts";
import {
  buildBundle,
  ROOT,
  startWorker,
  tapUpstash,
  type UpstashTap,
  workerdProblem,
} from "./testing/worker_harness.ts";

const redis = await startTestRedis();
await redis?.close();
const workerd = await workerdProblem();
if (workerd !== null) {
  const message = `workerd (Miniflare 4) cannot run on this machine: ${workerd}`;
  if (inCi()) throw new Error(message);
  console.error(`\n!!! SKIPPING WORKERS TESTS: ${message}\n`);
}

/**
 * hono/jsx renders the same markup in two spellings: Deno's precompiled JSX writes `<meta ...>`
 * and `required` (and sometimes a space before `>`), the runtime JSX that wrangler's esbuild
 * emits writes `<meta .../>` and `required=""`. Both mean the same to every HTML parser;
 * compare in one spelling.
 */
function sameMarkup(html: string): string {
  return html.replace(/\s*\/?>/g, ">").replace(
    / (required|defer|async|download|disabled|checked|selected|hidden|multiple|readonly)=""/g,
    " $1",
  );
}

/** Everything a client can observe of the flow, with the hub's own origin made neutral. */
type FlowRecord = Record<string, unknown>;

/**
 * Signs in, connects a provider through its sandbox consent page, lists items (all, and in
 * pages for several limits), reads status, the dashboard and static files, and disconnects.
 */
async function driveFlow(
  base: string,
  tap: UpstashTap,
  provider: ProviderId = "hubspot",
): Promise<FlowRecord> {
  const record: FlowRecord = {};
  const roundTrips: Record<string, number> = {};
  const pacingTrips: Record<string, number> = {};
  const counted = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const before = tap.requests;
    const pacingBefore = tap.pacing;
    const result = await fn();
    roundTrips[name] = tap.requests - before;
    pacingTrips[name] = tap.pacing - pacingBefore;
    return result;
  };
  const neutral = (text: string) => text.replaceAll(base, "{hub}");
  const cursors = RANDOM_CURSORS[provider] ? withNeutralCursor : (body: unknown) => body;
  const page = async (response: Response) => {
    const html = sameMarkup(neutral(await response.text()));
    return {
      status: response.status,
      type: response.headers.get("content-type"),
      csp: neutral(response.headers.get("content-security-policy") ?? ""),
      // "Load more" links carry a listing cursor; see RANDOM_CURSORS.
      html: RANDOM_CURSORS[provider] ? html.replace(/cursor=[^&"]+/g, "cursor=…") : html,
    };
  };
  const api = (path: string) =>
    fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${TEST_API_KEY}` } });
  const browser = new TestBrowser();

  record.loginPage = await page(await browser.request(`${base}/login`));
  const login = await browser.postForm(`${base}/login`, { user_id: "alice", org_id: "acme" });
  record.login = [login.status, login.headers.get("location")];
  record.emptyDashboard = await page(
    await counted("dashboard", () => browser.request(`${base}/`)),
  );

  const start = await counted(
    "connect",
    () => browser.postForm(`${base}/integrations/${provider}/connect`, {}),
  );
  if (start.status !== 303) throw new Error(`connect: ${start.status} ${await start.text()}`);
  const authorize = new URL(start.headers.get("location")!);
  record.connect = {
    status: start.status,
    to: neutral(authorize.origin + authorize.pathname),
    params: [...authorize.searchParams.keys()].sort(),
    redirect: neutral(authorize.searchParams.get("redirect_uri") ?? ""),
    scope: authorize.searchParams.get("scope"),
  };
  const consent = await browser.request(authorize.href);
  const form = formFields(await consent.text());
  record.consent = { status: consent.status, fields: Object.keys(form.fields).sort() };
  const decision = await browser.postForm(
    new URL(form.action ?? authorize.href, authorize).href,
    { ...form.fields, decision: "approve" },
  );
  const callbackUrl = new URL(decision.headers.get("location")!);
  record.decision = [decision.status, neutral(callbackUrl.origin + callbackUrl.pathname)];
  const callback = await counted("callback", () => browser.request(callbackUrl.href));
  record.callback = [callback.status, callback.headers.get("location")];

  const dashboard = await page(await counted("dashboard", () => browser.request(`${base}/`)));
  // "connected since" is the callback's time, which differs between the two runs.
  const since = /\d{4}-\d\d-\d\d[T ][\d:.]+Z?( UTC)?/g;
  record.dashboard = { ...dashboard, html: dashboard.html.replace(since, "{time}") };
  const status = await (await counted(
    "status",
    () => api(`/integrations/${provider}/status?user_id=alice&org_id=acme`),
  )).json();
  record.status = { ...status, connected_at: typeof status.connected_at };

  const query = "user_id=alice&org_id=acme";
  const all = await counted("items", () => api(`/integrations/${provider}/items?${query}`));
  record.all = [all.status, cursors(await all.json())];
  for (const limit of [1, 70, 1000]) {
    const pages: unknown[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/integrations/${provider}/items?${query}&limit=${limit}` +
        (cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`);
      const response: Response = await counted(
        cursor === null ? "items page" : "items next page",
        () => api(path),
      );
      const body: { next_cursor: string | null } = await response.json();
      pages.push([response.status, cursors(body)]);
      cursor = limit === 1 && pages.length === 3 ? null : body.next_cursor;
    } while (cursor !== null);
    record[`pages of ${limit}`] = pages;
  }
  // One isolate serves concurrent requests: shared state (the Upstash client's pipelining, the
  // provider pacing) must not tie one request's I/O to another's.
  const together = await Promise.all(
    Array.from({ length: 8 }, () => api(`/integrations/${provider}/items?${query}&limit=70`)),
  );
  record.concurrent = await Promise.all(
    together.map(async (r) => [r.status, cursors(await r.json())]),
  );
  const fragment = await counted(
    "items fragment",
    () => browser.request(`${base}/ui/${provider}/items`, { headers: { "HX-Request": "true" } }),
  );
  record.fragment = await page(fragment);

  for (
    const path of [
      "/static/app.css",
      "/static/app.js",
      "/static/htmx.min.js",
      "/static/favicon.svg",
    ]
  ) {
    const response = await browser.request(`${base}${path}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const file = await Deno.readFile(`${ROOT}${path.slice(1)}`);
    // Deno adds "; charset=utf-8" to SVG, Workers assets do not.
    const type = response.headers.get("content-type")?.split(";")[0];
    record[path] = [response.status, type, bytes.length];
    assert.deepEqual(bytes, file, `${base}${path} is not the file static/${path.slice(8)}`);
  }
  for (const path of ["/app.css", "/static/missing.css"]) {
    record[path] = (await browser.request(`${base}${path}`)).status;
  }

  const disconnect = await counted(
    "disconnect",
    () => browser.request(`${base}/integrations/${provider}`, { method: "DELETE" }),
  );
  record.disconnect = disconnect.status;
  record.after = (await (await api(`/integrations/${provider}/status?${query}`)).json()).status;
  record.roundTrips = roundTrips;
  record.pacingTrips = pacingTrips;
  return record;
}

/** How many items each sandbox is seeded with, from a sandbox built as the hub builds it. */
const SEEDED_ITEMS: Record<ProviderId, () => number> = {
  hubspot: () => {
    const { control } = createHubspotSandbox({
      clientId: "x",
      clientSecret: "y",
      redirectUris: [],
    });
    return [control.data.contacts, control.data.companies, control.data.deals]
      .flat().filter((r) => !r.archived).length;
  },
  airtable: () => {
    const { control } = createAirtableSandbox({
      clientId: "x",
      clientSecret: "y",
      redirectUris: [],
    });
    return control.bases.reduce(
      (n, base) => n + 1 + base.tables.reduce((m, table) => m + 1 + table.records.length, 0),
      0,
    );
  },
  notion: () =>
    createNotionSandbox({ clientId: "x", clientSecret: "y", redirectUris: [] }).control
      .searchable().length,
};

/**
 * Providers whose own cursors (inside the hub's next_cursor) are random per sandbox, so two runs
 * never share them: Airtable's record offsets and Notion's search cursors. Their next_cursor is
 * compared as present or absent, and the flow follows every cursor to the end, which shows they
 * work; HubSpot's cursors are deterministic and compared exactly.
 */
const RANDOM_CURSORS: Record<ProviderId, boolean> = {
  hubspot: false,
  airtable: true,
  notion: true,
};

/** A page with its next_cursor reduced to whether there is one (see RANDOM_CURSORS). */
function withNeutralCursor(page: { next_cursor?: string | null }): unknown {
  return "next_cursor" in page
    ? { ...page, next_cursor: page.next_cursor === null ? null : "…" }
    : page;
}

/** What the flow must show on its own, beyond being the same on both runtimes. */
function checkFlow(record: FlowRecord, provider: ProviderId): void {
  const html = (key: string) => (record[key] as { html: string }).html;
  assert.match(
    html("loginPage"),
    /^<!DOCTYPE html><html lang="en">.*<form method="post" action="\/login">/,
  );
  assert.match(html("dashboard"), /data-status="connected".*Load items/);
  assert.deepEqual(record.callback, [303, `/?connected=${provider}`]);
  type Page = [number, { items: { id: string }[]; next_cursor: string | null }];
  const [status, all] = record.all as Page;
  assert.equal(status, 200);
  assert.equal(all.items.length, SEEDED_ITEMS[provider]());
  assert.equal(all.next_cursor, null);
  const ids = all.items.map((i) => i.id).sort();
  for (const limit of [70, 1000]) {
    const pages = record[`pages of ${limit}`] as Page[];
    assert.ok(pages.every(([s, p]) => s === 200 && p.items.length <= limit));
    assert.deepEqual(pages.flatMap(([, p]) => p.items.map((i) => i.id)).sort(), ids);
  }
  assert.deepEqual((record["pages of 1"] as Page[]).map(([, p]) => p.items.length), [1, 1, 1]);
  const concurrent = record.concurrent as Page[];
  assert.ok(concurrent.every((page) => JSON.stringify(page) === JSON.stringify(concurrent[0])));
  assert.deepEqual(concurrent[0], (record["pages of 70"] as Page[])[0]);
  assert.equal(record.disconnect, 204);
  assert.equal(record.after, "not_connected");
}

const ignore = redis === null || workerd !== null;

Deno.test({
  name: "the Worker bundle runs in workerd like the Deno entry",
  ignore,
  fn: async (t) => {
    const bundleDir = await Deno.makeTempDir({ prefix: "hub-worker-" });
    try {
      await buildBundle(bundleDir);

      await t.step("the bundle fits the Workers size limits", async () => {
        const raw = await Deno.readFile(`${bundleDir}/worker.js`);
        const gzip = await new Response(
          new Blob([raw]).stream().pipeThrough(new CompressionStream("gzip")),
        ).arrayBuffer();
        console.log(`worker.js: ${raw.length} bytes, gzip ${gzip.byteLength} bytes`);
        // Free plan: 3 MB after compression; keep well under it.
        assert.ok(gzip.byteLength < 1024 * 1024);
      });

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
          const worker = await startWorker(bundleDir, vars);
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
          const hub = startHub({
            store: createUpstashStore({ url: denoTap.url, token: upstash.token }),
          });
          const worker = await startWorker(bundleDir, (url) => ({
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
            const onDeno = await driveFlow(hub.url, denoTap, provider);
            let onWorker: FlowRecord;
            try {
              onWorker = await driveFlow(worker.url, workerTap, provider);
            } catch (error) {
              console.error(`workerd output:\n${worker.logs.join("")}`);
              throw error;
            }
            assert.deepEqual(onWorker, onDeno);
            console.log(
              `${name}: Upstash round trips per request: ${
                JSON.stringify(onWorker.roundTrips)
              }, of them the pacer's: ${JSON.stringify(onWorker.pacingTrips)}`,
            );
            checkFlow(onWorker, provider);
            assert.equal((onWorker.roundTrips as Record<string, number>).dashboard, 1);
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
          const hub = startHub({
            store: createUpstashStore({ url: tap.url, token: upstash.token }),
            refreshMarginMs: 60 * 60 * 1000,
          });
          try {
            const flow = await driveFlow(hub.url, tap);
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
