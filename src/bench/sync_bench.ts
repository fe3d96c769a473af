/**
 * `deno task bench:sync`: the synced copy of a large HubSpot account over the Upstash protocol
 * (a real Redis behind the project's Upstash-compatible layer, with a tap counting commands),
 * against the HubSpot sandbox on its own port with 50 ms added per call and its documented
 * limit (100 calls per 10 s). Prints: the first sync's time, calls and 429s against the listing
 * lower bound; reading the whole copy page by page (1,000 items a page) and the store commands
 * per page; a rare `q` over the whole copy; and the incremental syncs after k = 0, 10 and 1,000
 * changes (edits, additions, deletions through the sandbox's control endpoint). Then the
 * Airtable and Notion rows (sync_bench_airtable_notion.ts).
 */
import assert from "node:assert/strict";
import { createHubspotSandbox } from "../sandbox/hubspot/sandbox.ts";
import { createUpstashStore } from "../store/upstash_store.ts";
import { startProviderHub } from "../testing/provider_hub.ts";
import { startUpstashForTests } from "../testing/redis_harness.ts";
import { tapUpstash } from "../testing/worker_harness.ts";
import { airtableAndNotionRows } from "./sync_bench_airtable_notion.ts";

const LATENCY_MS = Number(Deno.env.get("BENCH_LATENCY_MS") ?? 50);
const COUNTS = { contacts: 20_000, companies: 5_000, deals: 10_000 };
const OWNER = "user_id=bench&org_id=acme";

const upstash = await startUpstashForTests();
const tap = tapUpstash(upstash, upstash.namespace);
const t = await startProviderHub({
  provider: "hubspot",
  store: createUpstashStore({ url: tap.url, token: upstash.token }),
  makeSandbox: (app) => createHubspotSandbox({ ...app, counts: COUNTS, latencyMs: LATENCY_MS }),
  env: { SYNC_INTERVAL_MINUTES: "15" },
  user: "bench",
});

async function status() {
  return (await t.call(`/integrations/hubspot/status?${OWNER}`)).json().sync;
}

/** Asks for a sync (or waits for the one connecting started) and times it to its end. */
async function timedSync(ask: boolean) {
  const before = (await status()).finished_at;
  const calls = t.control.counters.crmCalls;
  const limited = t.control.counters.rateLimited;
  const started = performance.now();
  if (ask) await t.call(`/integrations/hubspot/sync?${OWNER}`, { method: "POST" });
  let sync = await status();
  while (sync.state === "running" || sync.finished_at === before) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    sync = await status();
  }
  assert.equal(sync.state, "ok", JSON.stringify(sync.last_error));
  return {
    seconds: (performance.now() - started) / 1000,
    calls: t.control.counters.crmCalls - calls,
    rateLimited: t.control.counters.rateLimited - limited,
    items: sync.items as number,
  };
}

try {
  const { data } = t.control;
  const live = (records: { archived: boolean }[]) => records.filter((r) => !r.archived).length;
  const chains = [live(data.contacts), live(data.companies), live(data.deals)];
  const calls = chains.reduce((sum, n) => sum + Math.ceil(n / 100), 0);
  const longest = Math.max(...chains.map((n) => Math.ceil(n / 100)));
  const perCall = LATENCY_MS / 1000;
  const bound = Math.max(longest * perCall, Math.floor((calls - 1) / 100) * 10 + perCall);

  assert.equal((await t.connect()).status, 303);
  const first = await timedSync(false);
  console.log(
    `first sync of ${first.items} items: ${first.seconds.toFixed(1)} s, ${first.calls} calls, ` +
      `${first.rateLimited} x 429; lower bound ${bound.toFixed(1)} s ` +
      `(max(longest chain ${longest} x ${LATENCY_MS} ms, floor((${calls} calls - 1) / 100) x 10 s)); ` +
      `ratio ${(first.seconds / bound).toFixed(2)}`,
  );

  let cursor: string | null = null;
  let pages = 0;
  let read = 0;
  const commands = tap.requests;
  const listing = performance.now();
  do {
    const query: string = `${OWNER}&limit=1000${cursor ? `&cursor=${cursor}` : ""}`;
    const page = (await t.call(`/integrations/hubspot/items?${query}`)).json();
    read += page.items.length;
    cursor = page.next_cursor;
    pages++;
  } while (cursor !== null);
  const listingSeconds = (performance.now() - listing) / 1000;
  assert.equal(read, first.items);
  console.log(
    `reading the copy: ${read} items in ${pages} pages of 1,000, ${listingSeconds.toFixed(2)} s ` +
      `(${(first.seconds / listingSeconds).toFixed(0)}x faster than the live listing the first ` +
      `sync made), ${((tap.requests - commands) / pages).toFixed(1)} store round trips per page`,
  );

  for (const needle of ["zzzz-none", "renewal"]) {
    const started = performance.now();
    const page = (await t.call(`/integrations/hubspot/items?${OWNER}&q=${needle}&limit=100`))
      .json();
    console.log(
      `q=${needle} over the whole copy: first page (${page.items.length} items) in ` +
        `${(performance.now() - started).toFixed(0)} ms`,
    );
  }

  // Changes through the sandbox's control endpoint, as HubSpot makes them: edits stamp the
  // modification time, deletions archive. A tenth of them additions, a tenth deletions.
  const edit = async (body: Record<string, string>) => {
    const answer = await fetch(`${t.providerUrl}/edit`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    assert.equal(answer.status, 200, await answer.text());
  };
  for (const k of [0, 10, 1000]) {
    const contacts = data.contacts.filter((r) => !r.archived);
    const deals = data.deals.filter((r) => !r.archived);
    for (let i = 0; i < k; i++) {
      if (i % 10 === 8) await edit({ action: "add", type: "companies", name: `Added ${k}-${i}` });
      else if (i % 10 === 9) await edit({ action: "delete", type: "deals", id: deals[i].id });
      else {
        await edit({
          action: "rename",
          type: "contacts",
          id: contacts[i].id,
          name: `Changed ${k}-${i}`,
        });
      }
    }
    // CRM search allows five calls a second: the syncs are a second apart, as they would be.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const sync = await timedSync(true);
    assert.equal(sync.items, first.items, "as many additions as deletions");
    console.log(
      `incremental sync after ${k} changes: ${sync.seconds.toFixed(2)} s, ${sync.calls} calls, ` +
        `${sync.rateLimited} x 429 (CRM search from the watermark and the archived listings)`,
    );
  }
} finally {
  await t.close();
  await tap.close();
  await upstash.close();
}

await airtableAndNotionRows();
