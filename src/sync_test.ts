/**
 * The synced copy end to end over real HTTP, on both stores: a connection's first sync starts
 * at connect; items are then read from the copy (no provider call) and filtered as a whole;
 * the changes feed gives the copy, then exactly what a sync found changed (an edit, an
 * addition, a deletion: each once, in its latest state; nothing unchanged); a disconnect
 * deletes the copy and its history. The HubSpot sandbox serves on its own port, so the test
 * can edit its records as a user would in HubSpot.
 */
import assert from "node:assert/strict";
import { createHubspotSandbox } from "./sandbox/hubspot/sandbox.ts";
import type { Store } from "./store/store.ts";
import { createKvStore } from "./store/kv_store.ts";
import { createUpstashStore } from "./store/upstash_store.ts";
import { type ProviderHub, startProviderHub } from "./testing/provider_hub.ts";
import { startTestRedis, startUpstashForTests } from "./testing/redis_harness.ts";
import type { HubspotSandboxControl } from "./sandbox/hubspot/sandbox.ts";
import {
  allChanges,
  editSandbox,
  type FeedChange,
  OWNER,
  settled,
  startEmbeddedSyncHub,
  syncNow,
  syncStatus,
} from "./testing/sync_probe.ts";

const redis = await startTestRedis();
await redis?.close();

type Hub = ProviderHub<HubspotSandboxControl>;

/** The state the sync that is running (or about to) ends in, after `after`. */
const settledState = async (t: Hub, after: string | null): Promise<string> =>
  (await settled(t, "hubspot", after, 20_000)).state;

async function syncFlow(store: Store) {
  const t = await startProviderHub({
    provider: "hubspot",
    store,
    makeSandbox: createHubspotSandbox,
    env: { SYNC_INTERVAL_MINUTES: "15" },
  });
  try {
    const data = t.control.data;
    const live = (records: { archived: boolean }[]) => records.filter((r) => !r.archived).length;
    const seeded = live(data.contacts) + live(data.companies) + live(data.deals);

    assert.equal((await t.connect()).status, 303);
    assert.equal(await settledState(t, null), "ok");
    const status = (await t.call(`/integrations/hubspot/status?${OWNER}`)).json();
    assert.equal(status.sync.items, seeded);
    assert.ok(status.sync.synced_at);

    // Reads come from the copy: no provider call, every item once, mixed types on page one.
    const callsBefore = t.control.counters.crmCalls;
    const first = (await t.call(`/integrations/hubspot/items?${OWNER}&limit=100`)).json();
    assert.equal(first.synced_at, status.sync.synced_at);
    assert.deepEqual(new Set(first.items.map((i: FeedChange["item"]) => i!.type)).size, 3);
    const everything = (await t.call(`/integrations/hubspot/items?${OWNER}`)).json();
    assert.equal(everything.items.length, seeded);
    assert.equal(new Set(everything.items.map((i: { id: string }) => i.id)).size, seeded);
    assert.equal(t.control.counters.crmCalls, callsBefore, "reading the copy calls nobody");

    // Filters cover the whole copy; a cursor is bound to its filters.
    const deals = (await t.call(`/integrations/hubspot/items?${OWNER}&type=deal&limit=1000`))
      .json();
    assert.equal(deals.items.length, live(data.deals));
    const paged = (await t.call(`/integrations/hubspot/items?${OWNER}&type=contact&limit=50`))
      .json();
    assert.equal(paged.items.length, 50);
    const wrongFilters = await t.call(
      `/integrations/hubspot/items?${OWNER}&type=deal&limit=50&cursor=${paged.next_cursor}`,
    );
    assert.equal(wrongFilters.status, 400);
    assert.equal((await t.call(`/integrations/hubspot/items?${OWNER}&type=ticket`)).status, 400);

    // Without since: the copy, as upserts.
    const snapshot = await allChanges(t, "hubspot", null, 250);
    assert.equal(snapshot.changes.length, seeded);
    assert.ok(snapshot.changes.every((c) => c.action === "upsert"));

    // A user edits a contact (twice), adds a company and deletes a deal in HubSpot, through
    // the sandbox's control endpoint (as HubSpot does, edits stamp the modification time,
    // deletions archive). Each sync after the first reads search and the archived listings.
    const contact = data.contacts.find((r) => !r.archived)!;
    const deal = data.deals.find((r) => !r.archived)!;
    await editSandbox(t, {
      action: "rename",
      type: "contacts",
      id: contact.id,
      name: "Renamed Once",
    });
    await editSandbox(t, { action: "delete", type: "deals", id: deal.id });
    await editSandbox(t, { action: "add", type: "companies", name: "Added Company" });
    const added = data.companies.at(-1)!;

    const callsAtFirst = t.control.counters.crmCalls;
    await syncNow(t, "hubspot", 20_000);
    assert.equal(
      t.control.counters.crmCalls - callsAtFirst,
      6,
      "three searches, three archived lists",
    );
    await editSandbox(t, {
      action: "rename",
      type: "contacts",
      id: contact.id,
      name: "Renamed Twice",
    });
    await syncNow(t, "hubspot", 20_000);
    assert.equal((await syncStatus(t, "hubspot")).items, seeded);

    const changed = await allChanges(t, "hubspot", snapshot.next, 250);
    const byId = new Map(changed.changes.map((c) => [c.id, c]));
    assert.equal(changed.changes.length, 3, JSON.stringify(changed.changes));
    assert.equal(byId.get(`contact:${contact.id}`)?.item?.name, "Renamed Twice");
    assert.equal(byId.get(`deal:${deal.id}`)?.action, "delete");
    assert.equal(byId.get(`deal:${deal.id}`)?.item, null);
    assert.equal(byId.get(`company:${added.id}`)?.item?.name, "Added Company");

    // A sync that finds nothing new adds nothing to the feed.
    await syncNow(t, "hubspot", 20_000);
    assert.deepEqual((await allChanges(t, "hubspot", changed.next, 250)).changes, []);

    // A since that is not one of ours is refused.
    assert.equal((await t.call(`/integrations/hubspot/changes?${OWNER}&since=bogus`)).status, 400);

    // Disconnecting deletes the copy and its history with the tokens.
    assert.equal(
      (await t.call(`/integrations/hubspot?${OWNER}`, { method: "DELETE" })).status,
      204,
    );
    const gone = (await t.call(`/integrations/hubspot/status?${OWNER}`)).json();
    assert.equal(gone.sync.state, "never");
    assert.equal((await t.call(`/integrations/hubspot/changes?${OWNER}`)).status, 409);
  } finally {
    await t.close();
  }
}

Deno.test("the synced copy, its filters and the changes feed (embedded store)", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await syncFlow(createKvStore(kv));
    const left: string[] = [];
    for await (const entry of kv.list({ prefix: [] })) {
      const key = String(entry.key.at(-1));
      if (key.includes(":sync:")) left.push(key);
    }
    assert.deepEqual(left, [], "nothing of the sync is left after the disconnect");
  } finally {
    kv.close();
  }
});

Deno.test({
  name: "the synced copy, its filters and the changes feed (Upstash store)",
  ignore: redis === null,
  fn: async () => {
    const upstash = await startUpstashForTests();
    try {
      await syncFlow(createUpstashStore(upstash));
      const left = await upstash.redis.sendCommand(["KEYS", `${upstash.namespace}*:sync:*`]);
      assert.deepEqual(left, [], "nothing of the sync is left after the disconnect");
    } finally {
      await upstash.close();
    }
  },
});

Deno.test("a sync bounded to one step a run (as on Workers) completes across runs, never relisting", async () => {
  const t = await startEmbeddedSyncHub({
    provider: "hubspot",
    makeSandbox: (app) =>
      createHubspotSandbox({ ...app, counts: { contacts: 2600, companies: 300, deals: 300 } }),
    syncStepsPerRun: 1,
  });
  try {
    const { data } = t.control;
    const live = (records: { archived: boolean }[]) => records.filter((r) => !r.archived).length;
    const total = live(data.contacts) + live(data.companies) + live(data.deals);
    const fullListing = Math.ceil(live(data.contacts) / 100) +
      Math.ceil(live(data.companies) / 100) + Math.ceil(live(data.deals) / 100);
    await t.connect();
    // Each advance of the progress is one run; a request that meets a run still letting its
    // lease go finds the connection busy and is asked again. The run that lists the last items
    // finishes the sync itself: asking once more then would start the next sync.
    const advances: number[] = [];
    let done = 0;
    let sync = (await t.call(`/integrations/hubspot/status?${OWNER}`)).json().sync;
    while (sync.state !== "ok") {
      const deadline = Date.now() + 30_000;
      let askedAt = Date.now();
      while (sync.state !== "ok" && (sync.progress?.done ?? done) === done) {
        assert.ok(Date.now() < deadline, `the sync moved on from ${done} items`);
        if (done < total && Date.now() - askedAt > 1_000) {
          await t.call(`/integrations/hubspot/sync?${OWNER}`, { method: "POST" });
          askedAt = Date.now();
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
        sync = (await t.call(`/integrations/hubspot/status?${OWNER}`)).json().sync;
      }
      const now = sync.state === "ok" ? total : sync.progress.done;
      if (now !== done) advances.push(now - done);
      done = now;
      if (sync.state !== "ok" && done < total) {
        assert.equal(sync.state, "running");
        await t.call(`/integrations/hubspot/sync?${OWNER}`, { method: "POST" });
      }
    }
    assert.equal(
      advances.length,
      Math.ceil(total / 1000),
      `one run per step of 1,000 items: ${advances}`,
    );
    assert.ok(advances.every((n) => n > 0 && n <= 1000), `steps of at most 1,000: ${advances}`);
    const items = (await t.call(`/integrations/hubspot/items?${OWNER}&limit=1000`)).json();
    assert.ok(items.synced_at);
    assert.ok(t.control.counters.crmCalls <= fullListing + 3, "no page was listed twice");
  } finally {
    await t.close();
  }
});

Deno.test("edits made on the HubSpot sandbox's edit page reach the copy at the next sync", async () => {
  const t = await startEmbeddedSyncHub({
    provider: "hubspot",
    makeSandbox: createHubspotSandbox,
  });
  try {
    await t.connect();
    assert.equal(await settledState(t, null), "ok");
    const snapshot = await allChanges(t, "hubspot", null, 250);
    const page = await fetch(`${t.providerUrl}/edit`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Edit the sandbox account/);
    const edit = (body: Record<string, string>) =>
      fetch(`${t.providerUrl}/edit`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(body),
      });
    const deal = t.control.data.deals.find((r) => !r.archived)!;
    assert.equal(
      (await edit({ action: "rename", type: "deals", id: deal.id, name: "Big one" })).status,
      200,
    );
    assert.equal(
      (await edit({ action: "add", type: "contacts", name: "Grace Hopper" })).status,
      200,
    );
    assert.equal((await edit({ action: "delete", type: "deals", id: "no-such-id" })).status, 404);
    assert.equal((await edit({ action: "explode", type: "deals" })).status, 400);
    await syncNow(t, "hubspot", 20_000);
    const names = (await allChanges(t, "hubspot", snapshot.next, 250)).changes.map((c) =>
      c.item?.name
    ).sort();
    assert.deepEqual(names, ["Big one", "Grace Hopper"]);
  } finally {
    await t.close();
  }
});
