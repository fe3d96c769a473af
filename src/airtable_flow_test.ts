/**
 * Airtable end to end over real HTTP: the hub against the Airtable sandbox on its own port.
 * Every base, table and record listed once, paced under 5 requests per second per base,
 * rotating refresh tokens used exactly once, expired list iterators survived.
 */
import assert from "node:assert/strict";
import { createAirtableSandbox } from "./sandbox/airtable/sandbox.ts";
import { createKvStore } from "./store/kv_store.ts";
import { startProviderHub } from "./testing/provider_hub.ts";

interface Item {
  id: string;
  type: string;
  name: string;
  parent_id: string | null;
  parent_path_or_name: string | null;
  url: string;
}

async function withAirtable(
  fn: (t: Awaited<ReturnType<typeof start>>) => Promise<void>,
) {
  const kv = await Deno.openKv(":memory:");
  const t = await start(createKvStore(kv));
  try {
    await fn(t);
  } finally {
    await t.close();
    kv.close();
  }
}

function start(store: ReturnType<typeof createKvStore>) {
  return startProviderHub({
    provider: "airtable",
    store,
    makeSandbox: (app) =>
      createAirtableSandbox({
        ...app,
        basesPageSize: 3,
        rateLimit: { perBasePerSecond: 5, penaltyMs: 2000 },
      }),
  });
}

async function listAll(
  t: Awaited<ReturnType<typeof start>>,
  limit: number | null,
  between?: (page: number) => Promise<void> | void,
): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | null = null;
  let page = 0;
  do {
    const query = new URLSearchParams();
    if (limit !== null) query.set("limit", String(limit));
    if (cursor) query.set("cursor", cursor);
    const answer = await t.call(`/integrations/airtable/items?${query}`);
    assert.equal(answer.status, 200, answer.text);
    const body = answer.json();
    if (limit !== null) assert.ok(body.items.length <= limit);
    items.push(...body.items);
    cursor = body.next_cursor;
    await between?.(++page);
  } while (cursor);
  return items;
}

function expected(bases: ReturnType<typeof createAirtableSandbox>["control"]["bases"]) {
  const ids: string[] = [];
  for (const base of bases) {
    ids.push(base.id);
    for (const table of base.tables) {
      ids.push(table.id, ...table.records.map((r) => r.id));
    }
  }
  return ids.sort();
}

Deno.test("Airtable: every base, table and record, paced per base, names and parents right", async () => {
  await withAirtable(async (t) => {
    const connected = await t.connect();
    assert.equal(connected.location, "/?connected=airtable");
    const status = (await t.call("/integrations/airtable/status")).json();
    assert.equal(status.status, "connected");
    assert.ok(status.scopes.includes("data.records:read"));

    const items = await listAll(t, null);
    assert.deepEqual(items.map((i) => i.id).sort(), expected(t.control.bases));
    for (const stats of Object.values(t.control.counters.perBase)) {
      assert.ok(stats.maxPerSecond <= 5, `a base saw ${stats.maxPerSecond} requests in a second`);
    }
    assert.equal(t.control.counters.rateLimited, 0);

    const base = t.control.bases[0];
    const table = base.tables[0];
    const byId = new Map(items.map((i) => [i.id, i]));
    assert.equal(byId.get(base.id)?.type, "base");
    assert.equal(byId.get(table.id)?.parent_id, base.id);
    assert.equal(byId.get(table.id)?.parent_path_or_name, base.name);
    const named = table.records[0];
    assert.equal(byId.get(named.id)?.name, named.fields[table.primaryFieldId]);
    assert.equal(byId.get(named.id)?.parent_path_or_name, table.name);
    assert.equal(
      byId.get(named.id)?.url,
      `https://airtable.com/${base.id}/${table.id}/${named.id}`,
    );
    const unnamed = table.records.find((r) => !(table.primaryFieldId in r.fields))!;
    assert.equal(byId.get(unnamed.id)?.name, unnamed.id);
    const people = t.control.bases[1].tables[0];
    const person = people.records[0].fields[people.primaryFieldId] as { name: string };
    assert.equal(byId.get(people.records[0].id)?.name, person.name);
  });
});

Deno.test("Airtable: pages never lose or repeat items, even when iterators expire", async () => {
  await withAirtable(async (t) => {
    await t.connect();
    const paged = await listAll(t, 37, async (page) => {
      if (page === 4) await t.control.expireIterators();
    });
    const ids = paged.map((i) => i.id);
    assert.equal(new Set(ids).size, ids.length, "an item was repeated");
    const busiest = Math.max(...Object.values(t.control.counters.perBase).map((b) => b.requests));
    assert.ok(busiest > 10, "the listing made enough calls to one base to test the pacing");
    for (const stats of Object.values(t.control.counters.perBase)) {
      assert.ok(stats.maxPerSecond <= 5, `a base saw ${stats.maxPerSecond} requests in a second`);
    }
    assert.equal(t.control.counters.rateLimited, 0);
    assert.deepEqual(ids.sort(), expected(t.control.bases));
  });
});

Deno.test("Airtable: concurrent loads at expiry rotate the refresh token exactly once", async () => {
  await withAirtable(async (t) => {
    await t.connect();
    await t.control.expireAccessTokens();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => t.call("/integrations/airtable/items?limit=5")),
    );
    assert.deepEqual(answers.map((a) => a.status), Array(8).fill(200));
    assert.equal(t.control.counters.refreshes, 1);
    assert.equal(t.control.counters.reusedRefreshTokens, 0);
    assert.equal((await t.control.liveRefreshTokens()).length, 1);
  });
});
