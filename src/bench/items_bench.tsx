/**
 * `deno task bench`: lists whole accounts through the items API, the hub and the sandbox
 * provider each in a process of its own, over real HTTP, with a fixed added latency per provider
 * call and the providers' documented rate limits enforced. Prints, per account: wall time, the
 * lower bound the provider allows (with its formula), their ratio, provider calls and 429s, and
 * the hub process's peak memory (read from Linux's /proc); then the server time to render one
 * dashboard page of 100 items.
 */
import assert from "node:assert/strict";
import type { IntegrationItem } from "../contract/item.ts";
import { providerEnv } from "../provider_config.ts";
import { PROVIDERS } from "../providers/registry.ts";
import { decideOnConsent, TestBrowser } from "../testing/browser.ts";
import { spawnUntilReady } from "../testing/local_server.ts";
import { startUpstashForTests } from "../testing/redis_harness.ts";
import { ItemsResults } from "../../views/items_table.tsx";

const LATENCY_MS = Number(Deno.env.get("BENCH_LATENCY_MS") ?? 50);
/**
 * The hub's V8 heap (old space) is capped at this many MB: a listing whose memory grew with the
 * account would fail here instead of only showing a larger figure. V8 otherwise lets garbage
 * pile up to far more than the hub holds live.
 */
const HUB_HEAP_MB = 64;
/** The OAuth app the bench hub uses at each sandbox. */
const BENCH_APP = { clientId: "bench-client", clientSecret: "bench-secret" };
/** Runs only the accounts whose name contains this text (e.g. BENCH_ONLY=Notion). */
const ONLY = Deno.env.get("BENCH_ONLY") ?? "";

interface Case {
  name: string;
  provider: "hubspot" | "airtable" | "notion";
  size: Record<string, number> | null;
  /** Page through next_cursor with this limit instead of one unpaged request. */
  limit?: number;
}

const CASES: Case[] = [
  { name: "HubSpot, seed account", provider: "hubspot", size: null },
  {
    name: "HubSpot, 20,000 contacts, 5,000 companies, 10,000 deals",
    provider: "hubspot",
    size: { contacts: 20_000, companies: 5_000, deals: 10_000 },
  },
  { name: "Airtable, seed account", provider: "airtable", size: null },
  {
    name: "Airtable, 4 bases x 5 tables x 2,000 records",
    provider: "airtable",
    size: { bases: 4, tablesPerBase: 5, recordsPerTable: 2_000 },
  },
  {
    name: "Airtable, 100,000 records (10 x 10 x 1,000), paged by 1,000 through next_cursor",
    provider: "airtable",
    size: { bases: 10, tablesPerBase: 10, recordsPerTable: 1_000 },
    limit: 1_000,
  },
  { name: "Notion, seed workspace", provider: "notion", size: null },
  { name: "Notion, 5,000 pages", provider: "notion", size: { pages: 5_000 } },
];

interface Bound {
  seconds: number;
  formula: string;
}

/**
 * The time one provider call takes at the provider: the added latency alone, or as measured at
 * the sandbox (that latency plus the provider's own work, which no client can save).
 */
interface CallTime {
  seconds: number;
  label: string;
}

const pages = (n: number) => Math.max(1, Math.ceil(n / 100));
const LATENCY: CallTime = { seconds: LATENCY_MS / 1000, label: `${LATENCY_MS} ms` };
const ms = (seconds: number) => `${(seconds * 1000).toFixed(1)} ms`;
/** The provider's longest rate window: waiting it out leaves every window clear. */
const longestWindowMs = (provider: keyof typeof PROVIDERS) =>
  Math.max(...PROVIDERS[provider].rateLimits.rules.map((rule) => rule.windowMs));

/** What the bounds need to know of a listing, kept compact so the client side stays small. */
class Shape {
  readonly perType = new Map<string, number>();
  /** Table id to base id. */
  readonly tableBase = new Map<string, string>();
  readonly recordsPerTable = new Map<string, number>();
  readonly sample: IntegrationItem[] = [];
  count = 0;

  add(item: IntegrationItem): void {
    this.count++;
    if (this.sample.length < 100) this.sample.push(item);
    this.perType.set(item.type, (this.perType.get(item.type) ?? 0) + 1);
    if (item.type === "table") this.tableBase.set(item.id, item.parent_id!);
    if (item.type === "record") {
      this.recordsPerTable.set(
        item.parent_id!,
        (this.recordsPerTable.get(item.parent_id!) ?? 0) + 1,
      );
    }
  }
}

/**
 * HubSpot: three chains of ceil(n/100) pages; at most 100 calls per 10 s per account, whoever
 * calls (`listers` users listing the same portal at once make that many times the calls).
 */
function hubspotBound(shape: Shape, call: CallTime, listers = 1): Bound {
  const chains = ["contact", "company", "deal"].map((t) => pages(shape.perType.get(t) ?? 0));
  const calls = chains.reduce((a, b) => a + b, 0) * listers;
  const longest = Math.max(...chains);
  const rate = Math.floor((calls - 1) / 100) * 10 + call.seconds;
  return {
    seconds: Math.max(longest * call.seconds, rate),
    formula:
      `max(longest chain ${longest} x ${call.label}, floor((${calls} calls - 1) / 100) x 10 s + ${call.label})`,
  };
}

/**
 * Airtable: per base, one schema call then each table's record pages; 5 calls/s per base,
 * whoever calls (`listers` users listing the same bases at once).
 */
function airtableBound(shape: Shape, call: CallTime, listers = 1): Bound {
  const tablesByBase = new Map<string, string[]>();
  for (const [table, base] of shape.tableBase) {
    tablesByBase.set(base, [...(tablesByBase.get(base) ?? []), table]);
  }
  let worst = 0;
  let worstCalls = 0;
  for (const tables of tablesByBase.values()) {
    const tablePages = tables.map((t) => pages(shape.recordsPerTable.get(t) ?? 0));
    const calls = (1 + tablePages.reduce((a, b) => a + b, 0)) * listers;
    const chain = (2 + Math.max(0, ...tablePages)) * call.seconds;
    const rate = call.seconds + Math.floor((calls - 1) / 5) * 1 + call.seconds;
    if (Math.max(chain, rate) > worst) {
      worst = Math.max(chain, rate);
      worstCalls = calls;
    }
  }
  return {
    seconds: worst,
    formula:
      `busiest base: ${call.label} (bases) + floor((${worstCalls} calls - 1) / 5) x 1 s + ${call.label}`,
  };
}

/** Notion: one search chain of ceil(n/100) pages; about 3 calls per second per connection. */
function notionBound(shape: Shape, call: CallTime): Bound {
  const calls = pages(shape.count);
  const rate = Math.floor((calls - 1) / 3) + call.seconds;
  return {
    seconds: Math.max(calls * call.seconds, rate),
    formula:
      `max(chain ${calls} x ${call.label}, floor((${calls} calls - 1) / 3) x 1 s + ${call.label})`,
  };
}

const BOUNDS = { hubspot: hubspotBound, airtable: airtableBound, notion: notionBound };

/** Starts one of the bench's servers in its own process; it prints its URL first. */
async function startServer(
  script: string,
  args: string[],
  flags: string[] = [],
): Promise<{ url: string; more: string[]; process: Deno.ChildProcess }> {
  const { process, printed } = await spawnUntilReady(
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", ...flags, new URL(script, import.meta.url).pathname, ...args],
      stdout: "piped",
      stderr: "inherit",
    }),
    "\n",
  );
  const [url, ...more] = printed.split("\n")[0].trim().split(" ");
  return { url, more, process };
}

/** A process's resident memory now, or its peak since the last resetPeakMemory, in bytes. */
function memoryOf(pid: number, field: "VmRSS" | "VmHWM"): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1];
  if (kb === undefined) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(kb) * 1024;
}

/** Linux: writing 5 to clear_refs restarts the process's peak resident memory count. */
function resetPeakMemory(pid: number): void {
  Deno.writeTextFileSync(`/proc/${pid}/clear_refs`, "5");
}

async function run(c: Case) {
  const sandbox = await startServer("sandbox_server.ts", [
    c.provider,
    JSON.stringify(c.size),
    String(LATENCY_MS),
  ]);
  const hub = await startServer("hub_server.ts", [JSON.stringify({
    SANDBOX: "false",
    ...providerEnv(c.provider, { ...BENCH_APP, base: sandbox.url }),
  })], [`--v8-flags=--max-old-space-size=${HUB_HEAP_MB}`]);
  try {
    await fetch(`${sandbox.url}/__bench/redirect`, {
      method: "POST",
      body: `${hub.url}/integrations/${c.provider}/oauth2callback`,
    });
    const browser = new TestBrowser();
    await browser.postForm(`${hub.url}/login`, { user_id: "bench", org_id: "bench" });
    const start = await browser.postForm(`${hub.url}/integrations/${c.provider}/connect`, {});
    const authorizeUrl = start.headers.get("location")!;
    const callback = await decideOnConsent(authorizeUrl, "approve");
    const connected = await browser.request(`${hub.url}${callback.pathname}${callback.search}`);
    assert.equal(connected.status, 303);

    const items = `${hub.url}/integrations/${c.provider}/items`;
    const counters = () => fetch(`${sandbox.url}/__bench/counters`).then((r) => r.json());
    const listing = (after: () => void) => listAll(browser, items, c.limit, after);
    // The first listing after the hub starts also pays for compiling its code; a seed account
    // is listed whole for that figure, a large one only warmed with one small request. Then
    // the provider's window is left to clear so the measured listing starts on a fresh one.
    let cold: Measurement | null = null;
    if (c.size === null) {
      cold = await measure(c, hub.process.pid, counters, listing);
    } else {
      await (await browser.request(`${items}?limit=1`)).body?.cancel();
    }
    await new Promise((r) => setTimeout(r, longestWindowMs(c.provider) + 500));
    const warm = await measure(c, hub.process.pid, counters, listing);
    return { ...warm, cold };
  } finally {
    for (const server of [hub, sandbox]) {
      server.process.kill();
      await server.process.status;
    }
  }
}

interface Measurement {
  shape: Shape;
  seconds: number;
  bound: Bound;
  latencyBound: Bound;
  /** Average time the provider took to serve one call of this listing, in seconds. */
  perCall: number;
  calls: number;
  rateLimited: number;
  /** The hub process's peak resident memory during the listing, and its rise over the start. */
  peakMb: number;
  growthMb: number;
  /** The hub's resident memory after each answer of the listing, in MB. */
  rssTrail: number[];
}

/** Runs one listing and reads what the sandbox saw of it. */
async function measure(
  c: Case,
  hubPid: number,
  counters: () => Promise<SandboxCounters>,
  listing: (afterEachAnswer: () => void) => Promise<Shape>,
): Promise<Measurement> {
  const before = await counters();
  resetPeakMemory(hubPid);
  const rssBefore = memoryOf(hubPid, "VmRSS");
  const started = performance.now();
  const rssTrail: number[] = [];
  const shape = await listing(() => rssTrail.push(memoryOf(hubPid, "VmRSS") / 1e6));
  const seconds = (performance.now() - started) / 1000;
  const peak = memoryOf(hubPid, "VmHWM");
  const after = await counters();
  const served = after.apiServiceMs.slice(before.apiServiceMs.length);
  const perCall = served.reduce((a, b) => a + b, 0) / served.length / 1000;
  const pageCalls = (n: SandboxCounters) =>
    c.provider === "hubspot"
      ? n.crmCalls!
      : c.provider === "airtable"
      ? n.apiCalls!
      : n.searchCalls!;
  return {
    shape,
    seconds,
    latencyBound: BOUNDS[c.provider](shape, LATENCY),
    bound: BOUNDS[c.provider](shape, { seconds: perCall, label: ms(perCall) }),
    perCall,
    calls: pageCalls(after) - pageCalls(before),
    rateLimited: after.rateLimited - before.rateLimited,
    peakMb: peak / 1e6,
    growthMb: (peak - rssBefore) / 1e6,
    rssTrail,
  };
}

/** What /__bench/counters reports (each sandbox counts its page calls under its own name). */
interface SandboxCounters {
  crmCalls?: number;
  apiCalls?: number;
  searchCalls?: number;
  rateLimited: number;
  apiServiceMs: number[];
}

/** Lists everything, keeping only the listing's shape. */
async function listAll(
  browser: TestBrowser,
  url: string,
  limit: number | undefined,
  afterEachAnswer: () => void = () => {},
): Promise<Shape> {
  const shape = new Shape();
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams();
    if (limit !== undefined) query.set("limit", String(limit));
    if (cursor !== null) query.set("cursor", cursor);
    const response = await browser.request(`${url}?${query}`);
    const body = await response.json();
    assert.equal(response.status, 200, JSON.stringify(body).slice(0, 300));
    for (const item of body.items as IntegrationItem[]) shape.add(item);
    cursor = body.next_cursor;
    afterEachAnswer();
  } while (cursor !== null);
  return shape;
}

async function renderTime(items: IntegrationItem[]): Promise<number> {
  const model = {
    provider: "hubspot",
    types: ["contact", "company", "deal"],
    filters: { q: "", type: "" },
    items: items.slice(0, 100),
    nextCursor: "x",
    counts: { contact: 100 },
    pages: 1,
  };
  const rounds = 200;
  const started = performance.now();
  for (let i = 0; i < rounds; i++) await (<ItemsResults model={model} />).toString();
  return (performance.now() - started) / rounds;
}

console.log(
  `Provider latency ${LATENCY_MS} ms per call; documented rate limits enforced; the hub's heap capped at ${HUB_HEAP_MB} MB.\n`,
);
console.log(
  "| account | items | wall time | lower bound | ratio | latency-only bound | ratio | provider time per call | provider calls | 429s | hub peak RSS (growth) |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|---|");
const formulas: string[] = [];
const coldLines: string[] = [];
const memoryLines: string[] = [];
let sample: IntegrationItem[] = [];
const ratio = (m: Measurement, bound: Bound) => (m.seconds / bound.seconds).toFixed(2);
for (const c of CASES.filter((c) => c.name.includes(ONLY))) {
  const r = await run(c);
  if (r.shape.sample.length >= 100 && sample.length === 0) sample = r.shape.sample;
  formulas.push(`- ${c.name}: ${r.bound.formula} = ${r.bound.seconds.toFixed(2)} s`);
  console.log(
    `| ${c.name} | ${r.shape.count} | ${r.seconds.toFixed(2)} s | ${
      r.bound.seconds.toFixed(2)
    } s | ${ratio(r, r.bound)} | ${r.latencyBound.seconds.toFixed(2)} s | ${
      ratio(r, r.latencyBound)
    } | ${ms(r.perCall)} | ${r.calls} | ${r.rateLimited} | ${r.peakMb.toFixed(0)} MB (+${
      r.growthMb.toFixed(0)
    }) |`,
  );
  if (r.rssTrail.length > 1) {
    const at = (share: number) =>
      r.rssTrail[Math.min(r.rssTrail.length - 1, Math.round(share * (r.rssTrail.length - 1)))];
    memoryLines.push(
      `- ${c.name}, ${r.rssTrail.length} answers: ${
        [0, 0.25, 0.5, 0.75, 1].map((share) => at(share).toFixed(0)).join(" / ")
      } MB`,
    );
  }
  if (r.cold !== null) {
    coldLines.push(
      `- ${c.name}: ${r.cold.seconds.toFixed(3)} s, ${ratio(r.cold, r.cold.bound)}x its bound (${
        r.cold.bound.seconds.toFixed(3)
      } s), ${
        ratio(r.cold, r.cold.latencyBound)
      }x the latency-only bound, ${r.cold.rateLimited} x 429`,
    );
  }
}
console.log(
  `\nLower bounds, with each call taking the time the provider took to serve it on average (the ${LATENCY_MS} ms`,
);
console.log(
  "added latency plus the sandbox's own work; the latency-only bound uses the latency alone):",
);
for (const f of formulas) console.log(f);
if (memoryLines.length > 0) {
  console.log(
    "\nThe hub's resident memory after the first answer, 25%, 50%, 75% of them and the last:",
  );
  for (const line of memoryLines) console.log(line);
}
if (coldLines.length > 0) {
  console.log(
    "\nThe same seed listings as the hub's first request after starting (code not yet compiled):",
  );
  for (const line of coldLines) console.log(line);
}
/**
 * Shared pacing: two hub processes on one Upstash store (a real Redis behind the project's
 * Upstash-compatible layer), two users of one team connected to the same HubSpot portal and
 * the same Airtable bases, one user on each hub, both listing both accounts at once. The
 * providers count per portal and per base whoever calls, so the bounds count both listings.
 */
const SHARED_CASES: { provider: "hubspot" | "airtable"; size: Record<string, number> }[] = [
  { provider: "hubspot", size: { contacts: 2_000, companies: 2_000, deals: 2_000 } },
  { provider: "airtable", size: { bases: 2, tablesPerBase: 5, recordsPerTable: 500 } },
];
const SHARED_NAME = "Shared pacing: two hub processes on one Upstash store, two users";

/** Signs `user` in on a hub and connects them to `provider` through its consent page. */
async function connectUser(hubUrl: string, provider: string, user: string): Promise<TestBrowser> {
  const browser = new TestBrowser();
  await browser.postForm(`${hubUrl}/login`, { user_id: user, org_id: "bench" });
  const start = await browser.postForm(`${hubUrl}/integrations/${provider}/connect`, {});
  const callback = await decideOnConsent(start.headers.get("location")!, "approve");
  const connected = await browser.request(`${hubUrl}${callback.pathname}${callback.search}`);
  assert.equal(connected.status, 303);
  return browser;
}

async function runShared() {
  const upstash = await startUpstashForTests();
  const sandboxes = await Promise.all(
    SHARED_CASES.map((c) =>
      startServer("sandbox_server.ts", [c.provider, JSON.stringify(c.size), String(LATENCY_MS)])
    ),
  );
  const env: Record<string, string> = { SANDBOX: "false" };
  SHARED_CASES.forEach((c, i) => {
    Object.assign(env, providerEnv(c.provider, { ...BENCH_APP, base: sandboxes[i].url }));
  });
  const store = { url: upstash.url, token: upstash.token, namespace: upstash.namespace };
  const hubs = await Promise.all(
    [0, 1].map(() =>
      startServer("hub_server.ts", [JSON.stringify(env), JSON.stringify(store)], [
        `--v8-flags=--max-old-space-size=${HUB_HEAP_MB}`,
      ])
    ),
  );
  try {
    for (const [i, c] of SHARED_CASES.entries()) {
      for (const hub of hubs) {
        await fetch(`${sandboxes[i].url}/__bench/redirect`, {
          method: "POST",
          body: `${hub.url}/integrations/${c.provider}/oauth2callback`,
        });
      }
    }
    const users = ["ada", "grace"];
    const browsers = await Promise.all(users.map(async (user, u) => {
      const browser = await connectUser(hubs[u].url, "hubspot", user);
      const other = await connectUser(hubs[u].url, "airtable", user);
      return { hubspot: browser, airtable: other };
    }));
    const counters = (i: number) =>
      fetch(`${sandboxes[i].url}/__bench/counters`).then((r) => r.json());
    const pacing = () => Promise.all(hubs.map((hub) => fetch(hub.more[0]).then((r) => r.json())));
    // Warm both hubs, then let every window clear so the run starts on fresh ones.
    for (const [u, hub] of hubs.entries()) {
      for (const c of SHARED_CASES) {
        const url = `${hub.url}/integrations/${c.provider}/items?limit=1`;
        await (await browsers[u][c.provider].request(url)).body?.cancel();
      }
    }
    await new Promise((r) => setTimeout(r, 10_500));
    const before = await Promise.all(SHARED_CASES.map((_, i) => counters(i)));
    const pacingBefore = await pacing();
    const started = performance.now();
    const runs = await Promise.all(SHARED_CASES.map(async (c) => {
      const listings = await Promise.all(hubs.map(async (hub, u) => {
        const shape = await listAll(
          browsers[u][c.provider],
          `${hub.url}/integrations/${c.provider}/items`,
          undefined,
        );
        return { shape, seconds: (performance.now() - started) / 1000 };
      }));
      return { c, listings };
    }));
    const after = await Promise.all(SHARED_CASES.map((_, i) => counters(i)));
    const pacingAfter = await pacing();
    const trips = pacingAfter.reduce((a, p, i) => a + p.roundTrips - pacingBefore[i].roundTrips, 0);
    const tripMs = pacingAfter.reduce((a, p, i) => a + p.totalMs - pacingBefore[i].totalMs, 0);
    let allCalls = 0;
    const rows = runs.map(({ c, listings }, i) => {
      const served = after[i].apiServiceMs.slice(before[i].apiServiceMs.length);
      const perCall = served.reduce((a: number, b: number) => a + b, 0) / served.length / 1000;
      const key = c.provider === "hubspot" ? "crmCalls" : "apiCalls";
      const calls = after[i][key] - before[i][key];
      allCalls += calls;
      const call = { seconds: perCall, label: ms(perCall) };
      const bound = (c.provider === "hubspot" ? hubspotBound : airtableBound)(
        listings[0].shape,
        call,
        listings.length,
      );
      return {
        c,
        items: listings.map((l) => l.shape.count).join(" + "),
        seconds: Math.max(...listings.map((l) => l.seconds)),
        bound,
        calls,
        rateLimited: after[i].rateLimited - before[i].rateLimited,
      };
    });
    return { rows, trips, tripMs, allCalls };
  } finally {
    for (const server of [...hubs, ...sandboxes]) {
      server.process.kill();
      await server.process.status;
    }
    await upstash.close();
  }
}

if (SHARED_NAME.includes(ONLY)) {
  const shared = await runShared();
  console.log(`\n${SHARED_NAME} on the same HubSpot portal and Airtable bases, listing at once:\n`);
  console.log("| provider | items | wall time | lower bound | ratio | provider calls | 429s |");
  console.log("|---|---|---|---|---|---|---|");
  for (const r of shared.rows) {
    console.log(
      `| ${PROVIDERS[r.c.provider].displayName}, ${
        Object.entries(r.c.size).map(([k, v]) => `${v} ${k}`).join(", ")
      } | ${r.items} | ${r.seconds.toFixed(2)} s | ${r.bound.seconds.toFixed(2)} s | ${
        (r.seconds / r.bound.seconds).toFixed(2)
      } | ${r.calls} | ${r.rateLimited} |`,
    );
  }
  for (const r of shared.rows) {
    console.log(
      `- ${PROVIDERS[r.c.provider].displayName}: ${r.bound.formula} = ${
        r.bound.seconds.toFixed(2)
      } s`,
    );
  }
  console.log(
    `\nPacing overhead: ${shared.trips} pacer round trips for ${shared.allCalls} provider calls (${
      (shared.trips / shared.allCalls).toFixed(2)
    } per call), ${(shared.tripMs / shared.trips).toFixed(2)} ms per round trip, ${
      (shared.tripMs / shared.allCalls).toFixed(2)
    } ms per call.`,
  );
}

console.log(
  `\nServer time to render one dashboard page of 100 items: ${
    (await renderTime(sample)).toFixed(2)
  } ms`,
);
