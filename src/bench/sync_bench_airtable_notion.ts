/**
 * The Airtable and Notion rows of `deno task bench:sync`: a large account of each synced over
 * the Upstash protocol (a real Redis behind the project's layer), the sandbox on its own port
 * with BENCH_LATENCY_MS (50) added per call and its documented limit (Airtable 5 per second per
 * base, Notion 3 per second). Prints the first sync against the listing's lower bound, then the
 * syncs after k = 0, 10 and 1,000 changes made through the sandbox's edit endpoint: their
 * time, provider calls, 429s and the changes the feed then holds. Runs alone too:
 * `deno run -A src/bench/sync_bench_airtable_notion.ts`.
 */
import assert from "node:assert/strict";
import type { ProviderId } from "../providers/registry.ts";
import { createAirtableSandbox } from "../sandbox/airtable/sandbox.ts";
import { createNotionSandbox } from "../sandbox/notion/sandbox.ts";
import { createUpstashStore } from "../store/upstash_store.ts";
import { type ProviderHub, startProviderHub } from "../testing/provider_hub.ts";
import { startUpstashForTests } from "../testing/redis_harness.ts";
import { allChanges, OWNER, settled, syncStatus } from "../testing/sync_probe.ts";
import { tapUpstash } from "../testing/worker_harness.ts";

const LATENCY_MS = Number(Deno.env.get("BENCH_LATENCY_MS") ?? 50);
const KS = [0, 10, 1000];
/** A sync of a large account under the limits takes tens of seconds; wait for it. */
const SYNC_WAIT_MS = 10 * 60 * 1000;

interface Counted {
  calls(): number;
  rateLimited(): number;
}

/** One provider's rows: the first sync, then a sync after each k changes `change` makes. */
async function providerRows<C>(options: {
  provider: ProviderId;
  label: string;
  makeSandbox: Parameters<typeof startProviderHub<C>>[0]["makeSandbox"];
  counted: (control: C) => Counted;
  /** The listing's lower bound in seconds, and how it is made up. */
  bound: (control: C) => { seconds: number; how: string };
  change: (t: ProviderHub<C>, k: number, round: number) => Promise<void>;
}): Promise<void> {
  const upstash = await startUpstashForTests();
  const tap = tapUpstash(upstash, upstash.namespace);
  const t = await startProviderHub({
    provider: options.provider,
    store: createUpstashStore({ url: tap.url, token: upstash.token }),
    makeSandbox: options.makeSandbox,
    env: { SYNC_INTERVAL_MINUTES: "15" },
    user: "alice",
  });
  try {
    const counted = options.counted(t.control);
    assert.equal((await t.connect()).status, 303);
    const calls = counted.calls();
    const started = performance.now();
    let first = await settled(t, options.provider, null, SYNC_WAIT_MS);
    const firstFailures = first.state === "ok" ? [] : [first.last_error?.code ?? first.state];
    if (first.state !== "ok") {
      firstFailures.push(...await syncUntilOk(t, options.provider));
      first = await syncStatus(t, options.provider);
    }
    const seconds = (performance.now() - started) / 1000;
    const bound = options.bound(t.control);
    const ratio = (seconds / bound.seconds).toFixed(2);
    console.log(
      `${options.label}: first sync of ${first.items} items: ${seconds.toFixed(1)} s, ` +
        `${counted.calls() - calls} calls, ${counted.rateLimited()} x 429; lower bound ` +
        `${bound.seconds.toFixed(2)} s (${bound.how}); ratio ${ratio}` +
        (firstFailures.length === 0 ? "" : `; failed first (${firstFailures.join(", ")}), resumed`),
    );
    let since = (await allChanges(t, options.provider, null)).next;
    for (const [round, k] of KS.entries()) {
      await options.change(t, k, round);
      const before = { calls: counted.calls(), limited: counted.rateLimited() };
      const commands = tap.requests;
      const syncStarted = performance.now();
      const failures = await syncUntilOk(t, options.provider);
      const took = (performance.now() - syncStarted) / 1000;
      const feed = await allChanges(t, options.provider, since);
      since = feed.next;
      console.log(
        `${options.label}: sync after ${k} changes: ${took.toFixed(1)} s, ` +
          `${counted.calls() - before.calls} calls, ${
            counted.rateLimited() - before.limited
          } x 429, ` +
          `${tap.requests - commands} store round trips; ${feed.changes.length} changes logged` +
          (failures.length === 0 ? "" : `; failed first (${failures.join(", ")}), then resumed`),
      );
    }
  } finally {
    await t.close();
    await tap.close();
    await upstash.close();
  }
}

/**
 * Asks for a sync until one ends "ok" (at most 3 tries; a failed sync's checkpoint lets the
 * next resume); answers the error codes of the failed ones, which the row reports.
 */
async function syncUntilOk<C>(t: ProviderHub<C>, provider: ProviderId): Promise<string[]> {
  const failures: string[] = [];
  while (true) {
    const before = (await syncStatus(t, provider)).finished_at;
    await t.call(`/integrations/${provider}/sync?${OWNER}`, { method: "POST" });
    const sync = await settled(t, provider, before, SYNC_WAIT_MS);
    if (sync.state === "ok") return failures;
    failures.push(sync.last_error?.code ?? sync.state);
    assert.ok(failures.length < 3, JSON.stringify(sync));
  }
}

async function edit(providerUrl: string, body: Record<string, string>): Promise<void> {
  const response = await fetch(`${providerUrl}/edit`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 200, await response.text());
}

/** Airtable, 4 bases x 5 tables x 2,000 records: k record renames spread over the tables. */
export async function airtableRows(): Promise<void> {
  await providerRows({
    provider: "airtable",
    label: "Airtable, 4 bases x 5 tables x 2,000 records",
    makeSandbox: (app) =>
      createAirtableSandbox({
        ...app,
        bases: 4,
        tablesPerBase: 5,
        recordsPerTable: 2000,
        latencyMs: LATENCY_MS,
      }),
    counted: (control) => ({
      calls: () => control.counters.apiCalls,
      rateLimited: () => control.counters.rateLimited,
    }),
    bound: (control) => {
      // Per base: its tables call and its tables' pages, 5 a second; the bases call first.
      const perBase = control.bases.map((b) =>
        1 + b.tables.reduce((n, t) => n + Math.max(1, Math.ceil(t.records.length / 100)), 0)
      );
      const busiest = Math.max(...perBase);
      const perCall = LATENCY_MS / 1000;
      return {
        seconds: perCall + Math.floor((busiest - 1) / 5) + perCall,
        how: `${LATENCY_MS} ms (bases) + floor((${busiest} calls of the busiest base - 1) / 5) ` +
          `x 1 s + ${LATENCY_MS} ms`,
      };
    },
    change: async (t, k, round) => {
      const tables = t.control.bases.flatMap((b) => b.tables);
      for (let i = 0; i < k; i++) {
        const table = tables[i % tables.length];
        const record = table.records[Math.floor(i / tables.length)];
        await edit(t.providerUrl, {
          action: "rename_record",
          id: record.id,
          name: `Changed ${round}-${i}`,
        });
      }
    },
  });
}

/** Notion, 5,000 pages: k pages renamed. */
export async function notionRows(): Promise<void> {
  await providerRows({
    provider: "notion",
    label: "Notion, 5,000 pages",
    makeSandbox: (app) => createNotionSandbox({ ...app, pages: 5000, latencyMs: LATENCY_MS }),
    counted: (control) => ({
      calls: () => control.counters.searchCalls,
      rateLimited: () => control.counters.rateLimited,
    }),
    bound: (control) => {
      const calls = Math.ceil(control.searchable().length / 100);
      const perCall = LATENCY_MS / 1000;
      const seconds = Math.max(calls * perCall, Math.floor((calls - 1) / 3) + perCall);
      return {
        seconds,
        how: `max(chain ${calls} x ${LATENCY_MS} ms, floor((${calls} calls - 1) / 3) x 1 s + ` +
          `${LATENCY_MS} ms)`,
      };
    },
    change: async (t, k, round) => {
      const pages = t.control.searchable().filter((o) => o.object === "page");
      for (let i = 0; i < k; i++) {
        await edit(t.providerUrl, {
          action: "rename",
          id: pages[i].id,
          name: `Changed ${round}-${i}`,
        });
      }
    },
  });
}

/** Rows whose label contains BENCH_ONLY (all without it). */
export async function airtableAndNotionRows(): Promise<void> {
  const only = Deno.env.get("BENCH_ONLY");
  if (only === undefined || "Airtable".includes(only)) await airtableRows();
  if (only === undefined || "Notion".includes(only)) await notionRows();
}

if (import.meta.main) await airtableAndNotionRows();
