import { providerEnv } from "../provider_config.ts";
import { type ProviderId, PROVIDERS } from "../providers/registry.ts";
import type { TestBrowser } from "../testing/browser.ts";
import { startUpstashForTests } from "../testing/redis_harness.ts";
import {
  BENCH_APP,
  connectUser,
  HUB_HEAP_MB,
  LATENCY_MS,
  listAll,
  startServer,
} from "./bench_process.ts";
import type { Bound } from "./items_bounds.ts";
import { profile, type SandboxCounters } from "./items_profiles.ts";

/**
 * Shared pacing: two hub processes on one Upstash store (a real Redis behind the project's
 * Upstash-compatible layer), two users of one team connected to the same HubSpot portal and
 * the same Airtable bases, one user on each hub, both listing both accounts at once. The
 * providers count per portal and per base whoever calls, so the bounds count both listings.
 */
const SHARED_CASES: { provider: ProviderId; size: Record<string, number> }[] = [
  { provider: "hubspot", size: { contacts: 2_000, companies: 2_000, deals: 2_000 } },
  { provider: "airtable", size: { bases: 2, tablesPerBase: 5, recordsPerTable: 500 } },
];
export const SHARED_NAME = "Shared pacing: two hub processes on one Upstash store, two users";

interface SharedRow {
  c: (typeof SHARED_CASES)[number];
  items: string;
  seconds: number;
  bound: Bound;
  calls: number;
  rateLimited: number;
}

interface SharedRun {
  rows: SharedRow[];
  trips: number;
  tripMs: number;
  allCalls: number;
}

const ms = (seconds: number) => `${(seconds * 1000).toFixed(1)} ms`;

async function runShared(): Promise<SharedRun> {
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
      const byProvider: Partial<Record<ProviderId, TestBrowser>> = {};
      for (const c of SHARED_CASES) {
        byProvider[c.provider] = await connectUser(hubs[u].url, c.provider, user);
      }
      return byProvider;
    }));
    const counters = (i: number): Promise<SandboxCounters> =>
      fetch(`${sandboxes[i].url}/__bench/counters`).then((r) => r.json());
    const pacing = () => Promise.all(hubs.map((hub) => fetch(hub.more[0]).then((r) => r.json())));
    // Warm both hubs, then let every window clear so the run starts on fresh ones.
    for (const [u, hub] of hubs.entries()) {
      for (const c of SHARED_CASES) {
        const url = `${hub.url}/integrations/${c.provider}/items?limit=1`;
        await (await browsers[u][c.provider]!.request(url)).body?.cancel();
      }
    }
    await new Promise((r) => setTimeout(r, 10_500));
    const before = await Promise.all(SHARED_CASES.map((_, i) => counters(i)));
    const pacingBefore = await pacing();
    const started = performance.now();
    const runs = await Promise.all(SHARED_CASES.map(async (c) => {
      const listings = await Promise.all(hubs.map(async (hub, u) => {
        const shape = await listAll(
          browsers[u][c.provider]!,
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
      const { pageCalls, bound: boundOf } = profile(c.provider);
      const calls = pageCalls(after[i]) - pageCalls(before[i]);
      allCalls += calls;
      const call = { seconds: perCall, label: ms(perCall) };
      const bound = boundOf(listings[0].shape, call, listings.length);
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

/** Runs the shared case and prints its rows. */
export async function benchShared(): Promise<void> {
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
