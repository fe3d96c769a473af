/**
 * The Airtable and Notion rows of `deno task bench:sync`: a large account of each synced over
 * the Upstash protocol (a real Redis behind the project's layer, a tap counting commands), the
 * sandbox in a process of its own (src/bench/sandbox_server.ts: it counts calls as they arrive,
 * as a provider on another machine would, not when the hub's busy event loop lets it) with
 * BENCH_LATENCY_MS (50) added per call and its documented limit (Airtable 5 per second per
 * base, a 429 blocking the base for 30 s; Notion 3 per second). Prints the first sync against
 * the listing's lower bound, then the syncs after k = 0, 10 and 1,000 changes made through the
 * sandbox's edit endpoint: their time, provider calls, 429s and the changes the feed then
 * holds. Then a 100,000-record Airtable copy: its first sync, reading it through next_cursor
 * (store commands per page) and `q` over it. Runs alone too:
 * `deno run -A src/bench/sync_bench_airtable_notion.ts`.
 */
import assert from "node:assert/strict";
import type { ProviderId } from "../providers/registry.ts";
import { createUpstashStore } from "../store/upstash_store.ts";
import { connectThroughConsent } from "../testing/browser.ts";
import { startHub, TEST_API_KEY } from "../testing/hub.ts";
import type { ProviderHub } from "../testing/provider_hub.ts";
import { startUpstashForTests } from "../testing/redis_harness.ts";
import { startSandboxProcess } from "../testing/sandbox_process.ts";
import { allChanges, OWNER, settled, syncStatus } from "../testing/sync_probe.ts";
import { tapUpstash } from "../testing/worker_harness.ts";

const LATENCY_MS = Number(Deno.env.get("BENCH_LATENCY_MS") ?? 50);
const KS = [0, 10, 1000];
/** A sync of a large account under the limits takes tens of seconds; wait for it. */
const SYNC_WAIT_MS = 10 * 60 * 1000;
const PER_CALL = LATENCY_MS / 1000;

interface Account {
  provider: ProviderId;
  label: string;
  size: Record<string, number>;
  /** The listing's lower bound for an account of `items` items. */
  bound: (items: number) => { seconds: number; how: string };
  /** The page calls and 429s the sandbox counted. */
  calls: (counters: Record<string, number>) => number;
  /** The items type an edit renames, and the edit. */
  renames: { type: string; action: string };
}

/** Airtable: per base its tables call and its tables' pages, 5 a second; the bases call first. */
function airtableBound(size: Record<string, number>) {
  const busiest = 1 + size.tablesPerBase * Math.ceil(size.recordsPerTable / 100);
  return () => ({
    seconds: PER_CALL + Math.floor((busiest - 1) / 5) + PER_CALL,
    how: `${LATENCY_MS} ms (bases) + floor((${busiest} calls of the busiest base - 1) / 5) ` +
      `x 1 s + ${LATENCY_MS} ms`,
  });
}

const AIRTABLE_SIZE = { bases: 4, tablesPerBase: 5, recordsPerTable: 2000 };
const AIRTABLE: Account = {
  provider: "airtable",
  label: "Airtable, 4 bases x 5 tables x 2,000 records",
  size: AIRTABLE_SIZE,
  bound: airtableBound(AIRTABLE_SIZE),
  calls: (c) => c.apiCalls,
  renames: { type: "record", action: "rename_record" },
};

const NOTION: Account = {
  provider: "notion",
  label: "Notion, 5,000 pages",
  size: { pages: 5000 },
  bound: (items) => {
    const calls = Math.ceil(items / 100);
    return {
      seconds: Math.max(calls * PER_CALL, Math.floor((calls - 1) / 3) + PER_CALL),
      how: `max(chain ${calls} x ${LATENCY_MS} ms, floor((${calls} calls - 1) / 3) x 1 s + ` +
        `${LATENCY_MS} ms)`,
    };
  },
  calls: (c) => c.searchCalls,
  renames: { type: "page", action: "rename" },
};

type Hub = ProviderHub<null> & { commands(): number; counters(): Promise<Record<string, number>> };

/** The hub in this process on the tapped Upstash store, the sandbox in its own; connected. */
async function startBench(account: Account): Promise<Hub> {
  const upstash = await startUpstashForTests();
  const tap = tapUpstash(upstash, upstash.namespace);
  const sandbox = await startSandboxProcess(account.provider, LATENCY_MS, account.size);
  const hub = startHub({
    store: createUpstashStore({ url: tap.url, token: upstash.token }),
    env: { SANDBOX: "false", SYNC_INTERVAL_MINUTES: "15", ...sandbox.env },
  });
  await sandbox.register(`${hub.url}/integrations/${account.provider}/oauth2callback`);
  const browser = await connectThroughConsent(hub.url, account.provider, "alice");
  const call: Hub["call"] = async (path, init = {}) => {
    const response = await fetch(`${hub.url}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${TEST_API_KEY}` },
    });
    const text = await response.text();
    return {
      status: response.status,
      text,
      location: response.headers.get("location"),
      json: () => JSON.parse(text),
    };
  };
  return {
    hub,
    control: null,
    providerUrl: sandbox.url,
    log: Object.assign(() => {}, { lines: [] }) as unknown as Hub["log"],
    answers: [],
    browser,
    call,
    connect: () => Promise.reject(new Error("connected already")),
    commands: () => tap.requests,
    counters: () => sandbox.counters(),
    close: async () => {
      await hub.close();
      await sandbox.close();
      await tap.close();
      await upstash.close();
    },
  };
}

/** Waits for the first sync (connecting started it); prints it against the bound. */
async function firstSync(t: Hub, account: Account, label: string) {
  const before = await t.counters();
  const started = performance.now();
  const first = await settled(t, account.provider, null, SYNC_WAIT_MS);
  assert.equal(first.state, "ok", JSON.stringify(first));
  const seconds = (performance.now() - started) / 1000;
  const after = await t.counters();
  const bound = account.bound(first.items!);
  console.log(
    `${label}: first sync of ${first.items} items: ${seconds.toFixed(1)} s, ` +
      `${account.calls(after) - account.calls(before)} calls, ` +
      `${after.rateLimited - before.rateLimited} x 429; lower bound ` +
      `${bound.seconds.toFixed(2)} s (${bound.how}); ratio ${(seconds / bound.seconds).toFixed(2)}`,
  );
  if (after.rateLimited > before.rateLimited) console.log(`  429s: ${JSON.stringify(after)}`);
  return { seconds, items: first.items! };
}

/** Ids of `k` items of `type` from the copy, spread over their parents (tables). */
async function pickIds(t: Hub, provider: ProviderId, type: string, k: number): Promise<string[]> {
  const byParent = new Map<string, string[]>();
  let cursor: string | null = null;
  let seen = 0;
  do {
    const query: string = `${OWNER}&type=${type}&limit=1000${cursor ? `&cursor=${cursor}` : ""}`;
    const answer = (await t.call(`/integrations/${provider}/items?${query}`)).json();
    for (const item of answer.items) {
      const parent = item.parent_id ?? "";
      byParent.set(parent, [...(byParent.get(parent) ?? []), item.id]);
    }
    seen += answer.items.length;
    cursor = answer.next_cursor;
  } while (cursor !== null && seen < 4 * k);
  const lists = [...byParent.values()];
  return Array.from({ length: k }, (_, i) => lists[i % lists.length][Math.floor(i / lists.length)]);
}

/** One provider's rows: the first sync, then a sync after each k renames. */
async function providerRows(account: Account): Promise<void> {
  const t = await startBench(account);
  try {
    await firstSync(t, account, account.label);
    let since = (await allChanges(t, account.provider, null)).next;
    const ids = await pickIds(t, account.provider, account.renames.type, Math.max(...KS));
    for (const [round, k] of KS.entries()) {
      for (const id of ids.slice(0, k)) {
        const response = await fetch(`${t.providerUrl}/edit`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ action: account.renames.action, id, name: `Changed ${round}` }),
        });
        assert.equal(response.status, 200, await response.text());
      }
      const before = await t.counters();
      const commands = t.commands();
      const started = performance.now();
      const asked = (await syncStatus(t, account.provider)).finished_at;
      await t.call(`/integrations/${account.provider}/sync?${OWNER}`, { method: "POST" });
      const sync = await settled(t, account.provider, asked, SYNC_WAIT_MS);
      assert.equal(sync.state, "ok", JSON.stringify(sync));
      const took = (performance.now() - started) / 1000;
      const after = await t.counters();
      const feed = await allChanges(t, account.provider, since);
      since = feed.next;
      console.log(
        `${account.label}: sync after ${k} changes: ${took.toFixed(1)} s, ` +
          `${account.calls(after) - account.calls(before)} calls, ` +
          `${after.rateLimited - before.rateLimited} x 429, ${t.commands() - commands} store ` +
          `round trips; ${feed.changes.length} changes logged`,
      );
    }
  } finally {
    await t.close();
  }
}

const LARGE_SIZE = { bases: 10, tablesPerBase: 10, recordsPerTable: 1000 };
const LARGE: Account = {
  ...AIRTABLE,
  label: "Airtable, 100,000 records (10 x 10 x 1,000)",
  size: LARGE_SIZE,
  bound: airtableBound(LARGE_SIZE),
};

/** A 100,000-record copy: its first sync, read through next_cursor, and `q` over it. */
async function largeCopyRows(): Promise<void> {
  const t = await startBench(LARGE);
  try {
    const first = await firstSync(t, LARGE, LARGE.label);
    let cursor: string | null = null;
    let pages = 0;
    let read = 0;
    let sample = "";
    const commands = t.commands();
    const started = performance.now();
    do {
      const query: string = `${OWNER}&limit=1000${cursor ? `&cursor=${cursor}` : ""}`;
      const page = (await t.call(`/integrations/airtable/items?${query}`)).json();
      assert.ok(page.synced_at !== null, "served from the copy");
      read += page.items.length;
      if (pages === 50) sample = page.items[500].name;
      cursor = page.next_cursor;
      pages++;
    } while (cursor !== null);
    const seconds = (performance.now() - started) / 1000;
    assert.equal(read, first.items);
    console.log(
      `${LARGE.label}: reading the copy: ${read} items in ${pages} pages of 1,000, ` +
        `${seconds.toFixed(2)} s (${(first.seconds / seconds).toFixed(0)}x faster than the ` +
        `live listing the first sync made), ${((t.commands() - commands) / pages).toFixed(1)} ` +
        `store round trips per page`,
    );
    for (const needle of ["zzzz-none", sample]) {
      const q = encodeURIComponent(needle);
      const before = t.commands();
      const asked = performance.now();
      const page = (await t.call(`/integrations/airtable/items?${OWNER}&q=${q}&limit=100`)).json();
      console.log(
        `${LARGE.label}: q=${needle} over the whole copy: first page (${page.items.length} ` +
          `items) in ${(performance.now() - asked).toFixed(0)} ms, ${t.commands() - before} ` +
          `store round trips`,
      );
    }
  } finally {
    await t.close();
  }
}

/** Rows whose label contains BENCH_ONLY (all without it). */
export async function airtableAndNotionRows(): Promise<void> {
  const only = Deno.env.get("BENCH_ONLY") ?? "";
  if (AIRTABLE.label.includes(only)) await providerRows(AIRTABLE);
  if (NOTION.label.includes(only)) await providerRows(NOTION);
  if (LARGE.label.includes(only)) await largeCopyRows();
}

if (import.meta.main) await airtableAndNotionRows();
