/**
 * Notion's copy brought up to date over real HTTP, on a real Redis behind the Upstash layer:
 * after pages are added (a page and a database row), renamed (one twice), edited without a new
 * title, and moved to the trash with their subpages, and a parent page renamed (its children's
 * parent paths change, their own edit times do not), the changes feed holds exactly what
 * changed, each item once in its latest state. Every sync is one search listing: search hides
 * trashed pages and has no id-only form, so deletions show only by comparing a full listing
 * with the copy, and that listing already carries every change; its calls are counted here.
 */
import assert from "node:assert/strict";
import { titleOf } from "./sandbox/notion/data.ts";
import { createNotionSandbox, type NotionSandboxControl } from "./sandbox/notion/sandbox.ts";
import type { ProviderHub } from "./testing/provider_hub.ts";
import { startTestRedis } from "./testing/redis_harness.ts";
import {
  allChanges,
  editSandbox as edit,
  settled,
  startSyncHub,
  syncNow,
} from "./testing/sync_probe.ts";

const redis = await startTestRedis();
await redis?.close();

type Hub = ProviderHub<NotionSandboxControl>;

/** One search listing: pages of 100 of what search shows. */
const listingCalls = (t: Hub) => Math.max(1, Math.ceil(t.control.searchable().length / 100));

async function countedSync(t: Hub): Promise<number> {
  const calls = t.control.counters.searchCalls;
  await syncNow(t, "notion");
  return t.control.counters.searchCalls - calls;
}

Deno.test({
  name:
    "Notion: a sync after adds, edits, trashed pages and a parent rename logs exactly what changed",
  ignore: redis === null,
  fn: async () => {
    const t = await startSyncHub({
      provider: "notion",
      makeSandbox: (app) =>
        createNotionSandbox({ ...app, rateLimit: { requestsPerSecond: 50, retryAfterSeconds: 1 } }),
    });
    try {
      assert.equal((await t.connect()).status, 303);
      assert.equal((await settled(t, "notion", null)).state, "ok");
      assert.equal(t.control.counters.searchCalls, listingCalls(t));
      const snapshot = await allChanges(t, "notion", null);
      assert.equal(snapshot.changes.length, t.control.searchable().length);

      const objects = t.control.searchable();
      const named = (title: string) => objects.find((o) => titleOf(o) === title)!;
      const children = (id: string) =>
        objects.filter((o) =>
          (o.parent.type === "page_id" && o.parent.page_id === id) ||
          (o.parent.type === "database_id" && o.parent.database_id === id)
        );
      const engineering = named("Engineering");
      const engineeringChildren = children(engineering.id);
      const renamedTwice = named("Apollo");
      const touched = named("Decision log");
      const notes = named("Meeting notes");
      const trashed = [notes];
      for (let i = 0; i < trashed.length; i++) trashed.push(...children(trashed[i].id));
      const projects = named("Projects");

      await edit(t, { action: "rename", id: engineering.id, name: "Platform" });
      await edit(t, { action: "rename", id: renamedTwice.id, name: "Apollo once" });
      await edit(t, { action: "touch", id: touched.id });
      await edit(t, { action: "trash", id: notes.id });
      const page = await edit(t, { action: "add", name: "A new page" });
      const row = await edit(t, { action: "add", id: projects.id, name: "Dragonfly" });
      assert.equal(await countedSync(t), listingCalls(t));
      await edit(t, { action: "rename", id: renamedTwice.id, name: "Apollo twice" });
      assert.equal(await countedSync(t), listingCalls(t));

      const { changes, next } = await allChanges(t, "notion", snapshot.next);
      const byId = new Map(changes.map((c) => [c.id, c]));
      assert.equal(byId.size, changes.length, "each item once");
      const upsert = (id: string) => byId.get(id)?.item;
      assert.equal(upsert(engineering.id)?.name, "Platform");
      for (const child of engineeringChildren) {
        assert.equal(upsert(child.id)?.parent_path_or_name, "Platform", titleOf(child));
      }
      assert.equal(upsert(page!)?.name, "A new page");
      assert.equal(upsert(row!)?.parent_path_or_name, "Projects");
      assert.ok(upsert(touched.id), "an edit moves last_modified_time, which items carry");
      // The trashed page's rows are the Meetings database's; the database went too.
      assert.equal(trashed.length, 1 + 1 + 5);
      const deletions = changes.filter((c) => c.action === "delete").map((c) => c.id).sort();
      assert.deepEqual(deletions, trashed.map((o) => o.id).sort());
      assert.equal(upsert(renamedTwice.id)?.name, "Apollo twice");
      assert.equal(
        changes.length,
        1 + engineeringChildren.length + 2 + 1 + 1 + trashed.length,
        JSON.stringify(changes.map((c) => [c.action, c.item?.name])),
      );

      // Nothing changed: nothing logged, still one listing's calls.
      assert.equal(await countedSync(t), listingCalls(t));
      assert.deepEqual((await allChanges(t, "notion", next)).changes, []);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name:
    "Notion, 2,500 pages (several steps): an unrelated edit logs 1 change, a parent rename it and its children",
  ignore: redis === null,
  fn: async () => {
    const t = await startSyncHub({
      provider: "notion",
      makeSandbox: (app) =>
        createNotionSandbox({
          ...app,
          pages: 2500,
          rateLimit: { requestsPerSecond: 50, retryAfterSeconds: 1 },
        }),
    });
    try {
      assert.equal((await t.connect()).status, 303);
      assert.equal((await settled(t, "notion", null, 60_000)).state, "ok");
      const objects = t.control.searchable();
      assert.ok(objects.length > 2000, "more than two steps of 1,000");
      const parentOf = (o: (typeof objects)[number]) =>
        o.parent.type === "page_id"
          ? o.parent.page_id
          : o.parent.type === "database_id"
          ? o.parent.database_id
          : null;
      const children = (id: string) => objects.filter((o) => parentOf(o) === id);
      // Every item in the copy is linked to its parent, wherever in the listing either came:
      // children listed in a step before their parent's are linked at the end of the sync.
      const first = await allChanges(t, "notion", null);
      const names = new Map(first.changes.map((c) => [c.id, c.item!.name]));
      const position = new Map(first.changes.map((c, i) => [c.id, i]));
      const parentIn = (id: string) => parentOf(objects.find((o) => o.id === id)!);
      const early = first.changes.filter((c) => {
        const parent = parentIn(c.id);
        return parent !== null && position.has(parent) &&
          position.get(parent)! > position.get(c.id)!;
      });
      assert.ok(early.length > 0, "some children come before their parents in the listing");
      const unlinked = first.changes.filter((c) => {
        const parent = parentIn(c.id);
        return c.item!.parent_path_or_name !== (parent === null ? null : names.get(parent) ?? null);
      });
      assert.deepEqual(unlinked.map((c) => c.id), [], "the first sync links every child");
      await syncNow(t, "notion", 60_000);
      const corrected = await allChanges(t, "notion", first.next);
      assert.deepEqual(corrected.changes, [], "so the next sync has nothing to link");

      const leaf = objects.find((o) => o.object === "page" && children(o.id).length === 0)!;
      await edit(t, { action: "touch", id: leaf.id });
      await syncNow(t, "notion", 60_000);
      const touched = await allChanges(t, "notion", corrected.next);
      assert.deepEqual(touched.changes.map((c) => c.id), [leaf.id], "one edit, one change");

      const parent = objects.filter((o) => children(o.id).length >= 2)
        .sort((a, b) => children(b.id).length - children(a.id).length)[0];
      await edit(t, { action: "rename", id: parent.id, name: "Renamed parent" });
      await syncNow(t, "notion", 60_000);
      const renamed = await allChanges(t, "notion", touched.next);
      assert.deepEqual(
        renamed.changes.map((c) => c.id).sort(),
        [parent.id, ...children(parent.id).map((o) => o.id)].sort(),
      );
      for (const change of renamed.changes) {
        if (change.id !== parent.id) {
          assert.equal(change.item!.parent_path_or_name, "Renamed parent");
        }
      }
      await syncNow(t, "notion", 60_000);
      assert.deepEqual((await allChanges(t, "notion", renamed.next)).changes, []);
    } finally {
      await t.close();
    }
  },
});
