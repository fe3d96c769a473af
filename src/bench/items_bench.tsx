/**
 * `deno task bench`: lists whole accounts through the items API, the hub and the sandbox
 * provider each in a process of its own, over real HTTP, with a fixed added latency per provider
 * call and the providers' documented rate limits enforced. Prints, per account: wall time, the
 * lower bound the provider allows (with its formula), their ratio, provider calls and 429s, and
 * the hub process's peak memory (read from Linux's /proc); then the server time to render one
 * dashboard page of 100 items.
 */
import type { IntegrationItem } from "../contract/item.ts";
import { providerEnv } from "../provider_config.ts";
import { ItemsResults } from "../../views/items_table.tsx";
import {
  BENCH_APP,
  connectUser,
  HUB_HEAP_MB,
  LATENCY_MS,
  listAll,
  memoryOf,
  resetPeakMemory,
  startServer,
} from "./bench_process.ts";
import type { Bound, CallTime, Shape } from "./items_bounds.ts";
import {
  type Case,
  CASES,
  longestWindowMs,
  profile,
  type SandboxCounters,
} from "./items_profiles.ts";
import { benchShared, SHARED_NAME } from "./items_shared.ts";

/** Runs only the accounts whose name contains this text (e.g. BENCH_ONLY=Notion). */
const ONLY = Deno.env.get("BENCH_ONLY") ?? "";
const LATENCY: CallTime = { seconds: LATENCY_MS / 1000, label: `${LATENCY_MS} ms` };
const ms = (seconds: number) => `${(seconds * 1000).toFixed(1)} ms`;

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
    const browser = await connectUser(hub.url, c.provider, "bench");

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
  const { pageCalls, bound } = profile(c.provider);
  return {
    shape,
    seconds,
    latencyBound: bound(shape, LATENCY),
    bound: bound(shape, { seconds: perCall, label: ms(perCall) }),
    perCall,
    calls: pageCalls(after) - pageCalls(before),
    rateLimited: after.rateLimited - before.rateLimited,
    peakMb: peak / 1e6,
    growthMb: (peak - rssBefore) / 1e6,
    rssTrail,
  };
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
if (SHARED_NAME.includes(ONLY)) await benchShared();

console.log(
  `\nServer time to render one dashboard page of 100 items: ${
    (await renderTime(sample)).toFixed(2)
  } ms`,
);
