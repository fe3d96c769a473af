/**
 * Airtable's copy brought up to date over real HTTP, on a real Redis behind the Upstash layer:
 * after records are added, renamed (one twice), edited elsewhere and deleted, a table and a base
 * renamed (their children's parent paths change), a table added and one deleted, the changes
 * feed holds exactly what changed, each item once in its latest state. Every sync is one
 * listing (Airtable shows deletions only to an id listing, and that listing already carries
 * each record's name), so each costs the listing's calls, counted here.
 */
import assert from "node:assert/strict";
import type { AirtableBase } from "./sandbox/airtable/data.ts";
import { type AirtableSandboxControl, createAirtableSandbox } from "./sandbox/airtable/sandbox.ts";
import type { ProviderHub } from "./testing/provider_hub.ts";
import { startTestRedis } from "./testing/redis_harness.ts";
import {
  allChanges,
  editSandbox as edit,
  type FeedChange,
  settled,
  startSyncHub,
  syncNow,
} from "./testing/sync_probe.ts";

const redis = await startTestRedis();
await redis?.close();

type Hub = ProviderHub<AirtableSandboxControl>;

/** The listing's calls: the bases page, each base's tables, each table's pages of 100. */
function listingCalls(bases: AirtableBase[]): number {
  return 1 + bases.length +
    bases.flatMap((b) => b.tables).reduce(
      (sum, t) => sum + Math.max(1, Math.ceil(t.records.length / 100)),
      0,
    );
}

/** Syncs now; answers the provider calls the sync made. */
async function countedSync(t: Hub): Promise<number> {
  const calls = t.control.counters.apiCalls;
  await syncNow(t, "airtable");
  return t.control.counters.apiCalls - calls;
}

Deno.test({
  name: "Airtable: a sync after adds, edits, deletes and renames logs exactly what changed",
  ignore: redis === null,
  fn: async () => {
    const t = await startSyncHub({
      provider: "airtable",
      // The hub paces at Airtable's 5 a second per base; the sandbox allows more, so a test
      // slowed by a busy machine (requests arriving bunched) is not cut off by a 429's 30 s.
      makeSandbox: (app) =>
        createAirtableSandbox({ ...app, rateLimit: { perBasePerSecond: 50, penaltyMs: 1000 } }),
    });
    try {
      const { bases } = t.control;
      const calls = t.control.counters.apiCalls;
      assert.equal((await t.connect()).status, 303);
      assert.equal((await settled(t, "airtable", null)).state, "ok");
      // The connect's whoami, then the first sync's listing.
      assert.equal(t.control.counters.apiCalls - calls, 1 + listingCalls(bases));
      const snapshot = await allChanges(t, "airtable", null);

      const [roadmap, hiring] = bases;
      const features = roadmap.tables[0];
      const [renamedTwice, touched, deleted] = features.records.slice(0, 3).map((r) => r.id);
      const releases = roadmap.tables[1];
      const candidates = hiring.tables[0];
      const droppedRecords = hiring.tables[2].records.map((r) => r.id);
      const scorecards = hiring.tables[2].id;

      await edit(t, { action: "rename_record", id: renamedTwice, name: "First name" });
      await edit(t, { action: "touch_record", id: touched });
      await edit(t, { action: "delete_record", id: deleted });
      const added = await edit(t, { action: "add_record", id: features.id, name: "Added" });
      await edit(t, { action: "rename_table", id: releases.id, name: "Shipped" });
      await edit(t, { action: "rename_base", id: hiring.id, name: "Hiring" });
      await edit(t, { action: "delete_table", id: scorecards });
      const newTable = await edit(t, { action: "add_table", id: roadmap.id, name: "Ideas" });
      const idea = await edit(t, { action: "add_record", id: newTable!, name: "An idea" });
      assert.equal(await countedSync(t), listingCalls(bases));

      await edit(t, { action: "rename_record", id: renamedTwice, name: "Second name" });
      assert.equal(await countedSync(t), listingCalls(bases));

      const { changes, next } = await allChanges(t, "airtable", snapshot.next);
      const byId = new Map(changes.map((c) => [c.id, c]));
      assert.equal(byId.size, changes.length, "each item once");
      const upsert = (id: string) => byId.get(id)?.item;
      assert.equal(upsert(renamedTwice)?.name, "Second name");
      assert.equal(upsert(added!)?.name, "Added");
      assert.equal(upsert(newTable!)?.name, "Ideas");
      assert.equal(upsert(idea!)?.parent_path_or_name, "Ideas");
      assert.equal(upsert(hiring.id)?.name, "Hiring");
      // A renamed base changes its tables' parent path; a renamed table, its records'.
      for (const table of hiring.tables) {
        assert.equal(upsert(table.id)?.parent_path_or_name, "Hiring");
      }
      assert.equal(upsert(releases.id)?.name, "Shipped");
      for (const record of releases.records) {
        assert.equal(upsert(record.id)?.parent_path_or_name, "Shipped");
      }
      const deletions = changes.filter((c: FeedChange) => c.action === "delete").map((c) => c.id);
      assert.deepEqual(deletions.sort(), [deleted, scorecards, ...droppedRecords].sort());
      assert.ok(!byId.has(touched), "a cell other than the name changes no item");
      assert.ok(!byId.has(candidates.records[0].id), "an unchanged record never appears");
      // Five items of their own (a record renamed twice, two added records, the added table,
      // the renamed base), the renamed base's tables, the renamed table and its records.
      const expected = 5 + hiring.tables.length + 1 + releases.records.length + deletions.length;
      assert.equal(changes.length, expected, JSON.stringify(changes.map((c) => c.id)));

      // Nothing changed: nothing logged, and still one listing's calls.
      assert.equal(await countedSync(t), listingCalls(bases));
      assert.deepEqual((await allChanges(t, "airtable", next)).changes, []);
    } finally {
      await t.close();
    }
  },
});
