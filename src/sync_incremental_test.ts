/**
 * Incremental HubSpot syncs end to end: real HTTP to the sandbox, real Redis behind the Upstash
 * protocol. After the first (full) sync, each sync reads only CRM search and the archived
 * listings: 20,000 objects with 18 changes cost at most 15 provider calls; the changes feed
 * holds exactly those changes, each once in its latest state, an item changed twice included;
 * the copy equals the account; a sync stopped between steps resumes without calling again.
 */
import assert from "node:assert/strict";
import { createHubspotSandbox, type HubspotSandboxControl } from "./sandbox/hubspot/sandbox.ts";
import type { ObjectType } from "./sandbox/hubspot/data.ts";
import type { ProviderHub } from "./testing/provider_hub.ts";
import { startTestRedis } from "./testing/redis_harness.ts";
import {
  allChanges,
  copyItems,
  editSandbox as edit,
  OWNER,
  startEmbeddedSyncHub,
  startSyncHub,
  syncStatus,
} from "./testing/sync_probe.ts";
import { replyText, type RespValue } from "./testing/resp.ts";

const redis = await startTestRedis();
await redis?.close();

type Hub = ProviderHub<HubspotSandboxControl>;

const ITEM_TYPE: Record<ObjectType, string> = {
  contacts: "contact",
  companies: "company",
  deals: "deal",
};

/**
 * Asks for a sync and waits for one that began after the ask to end (a sync that was running
 * already goes once more for the ask); answers the provider calls made meanwhile.
 */
async function syncNow(t: Hub): Promise<number> {
  const calls = t.control.counters.crmCalls;
  // Search allows five calls a second: a sync right after the last one would meet that limit.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const asked = Date.now();
  assert.equal(
    (await t.call(`/integrations/hubspot/sync?${OWNER}`, { method: "POST" })).status,
    202,
  );
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const sync = await syncStatus(t, "hubspot");
    if (sync.state !== "running" && Date.parse(sync.started_at ?? "") >= asked) {
      assert.equal(sync.state, "ok", JSON.stringify(sync.last_error));
      return t.control.counters.crmCalls - calls;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the sync did not finish");
}

/** The live records of the sandbox account, by item id. */
function liveIds(control: HubspotSandboxControl): Set<string> {
  const ids = new Set<string>();
  for (const type of ["contacts", "companies", "deals"] as const) {
    for (const record of control.data[type]) {
      if (!record.archived) ids.add(`${ITEM_TYPE[type]}:${record.id}`);
    }
  }
  return ids;
}

Deno.test({
  name: "20,000 HubSpot objects with 18 changes sync in at most 15 calls, the feed exact (Upstash)",
  ignore: redis === null,
  fn: async () => {
    const t = await startSyncHub({
      provider: "hubspot",
      makeSandbox: (app) =>
        createHubspotSandbox({
          ...app,
          counts: { contacts: 14_000, companies: 3_000, deals: 3_000 },
          rateLimit: { max: 1000, intervalMs: 10_000 },
        }),
    });
    try {
      const { data } = t.control;
      await t.connect();
      const first = await syncNow(t);
      assert.ok(first > 150, `the first sync lists everything (${first} calls)`);
      const snapshot = await allChanges(t, "hubspot", null);
      assert.equal(snapshot.changes.length, liveIds(t.control).size);

      // Per type: two edits (one of them twice), two additions, two deletions.
      const expected = new Map<string, string | null>();
      for (const type of ["contacts", "companies", "deals"] as const) {
        const live = data[type].filter((r) => !r.archived);
        const [a, b, c, d] = [live[5], live[50], live[500], live.at(-3)!];
        const itemType = ITEM_TYPE[type];
        await edit(t, { action: "rename", type, id: a.id, name: `First ${type}` });
        await edit(t, { action: "rename", type, id: a.id, name: `Edited ${type}` });
        await edit(t, { action: "rename", type, id: b.id, name: `Other ${type}` });
        expected.set(`${itemType}:${a.id}`, `Edited ${type}`);
        expected.set(`${itemType}:${b.id}`, `Other ${type}`);
        for (const record of [c, d]) {
          await edit(t, { action: "delete", type, id: record.id });
          expected.set(`${itemType}:${record.id}`, null);
        }
        for (const name of [`New ${type} one`, `New ${type} two`]) {
          await edit(t, { action: "add", type, name });
          expected.set(`${itemType}:${data[type].at(-1)!.id}`, name);
        }
      }
      assert.equal(expected.size, 18);
      const limited = t.control.counters.rateLimited;
      const calls = await syncNow(t);
      console.log(`incremental sync, 20,000 objects, 18 changes: ${calls} provider calls`);
      assert.ok(calls <= 15, `${calls} calls`);
      assert.equal(t.control.counters.rateLimited, limited, "no 429");

      // Then the same contact changes again and an added company is deleted.
      const contact = [...expected.keys()].find((id) => id.startsWith("contact:"))!;
      await edit(t, {
        action: "rename",
        type: "contacts",
        id: contact.slice(8),
        name: "Third name",
      });
      expected.set(contact, "Third name");
      const company = data.companies.at(-1)!;
      await edit(t, { action: "delete", type: "companies", id: company.id });
      expected.set(`company:${company.id}`, null);
      assert.ok((await syncNow(t)) <= 15);

      const feed = await allChanges(t, "hubspot", snapshot.next);
      const got = new Map(feed.changes.map((c) => [c.id, c.item?.name ?? null]));
      assert.equal(feed.changes.length, got.size, "each item once");
      assert.deepEqual(got, expected, "exactly what changed, in its latest state");
      for (const change of feed.changes) {
        assert.equal(change.action, change.item === null ? "delete" : "upsert");
      }

      // The copy is the account, and a quiet sync logs nothing.
      const copy = await copyItems(t, "hubspot");
      assert.deepEqual(new Set(copy.keys()), liveIds(t.control));
      assert.equal(copy.get(contact), "Third name");
      assert.equal((await syncStatus(t, "hubspot")).items, copy.size);
      const generations = async () => {
        const { redis, namespace } = t.upstash;
        const keys = await redis.sendCommand(["KEYS", `${namespace}*:copy:*`]);
        const names = (keys as RespValue[]).map(replyText).filter((k) => k !== null);
        return new Set(names.map((key) => key.split(":copy:")[1].split(":")[0]));
      };
      const kept = await generations();
      assert.ok((await syncNow(t)) <= 15);
      assert.deepEqual((await allChanges(t, "hubspot", feed.next)).changes, []);
      // (The generation before the last may still be going as the status turns ok.)
      const after = [...await generations()];
      assert.ok(after.every((g) => kept.has(g)), "nothing changed: the copy is not rewritten");
    } finally {
      await t.close();
    }
  },
});

Deno.test("an incremental sync stopped between steps resumes there, and a failed one lists again", async () => {
  const t = await startEmbeddedSyncHub({
    provider: "hubspot",
    makeSandbox: (app) =>
      createHubspotSandbox({ ...app, counts: { contacts: 1300, companies: 300, deals: 300 } }),
    syncStepsPerRun: 1,
  });
  /** Runs one step a request until the sync is done; answers the runs it took. */
  const runToEnd = async (): Promise<number> => {
    for (let runs = 1; runs < 60; runs++) {
      const before = (await syncStatus(t, "hubspot")).started_at;
      await t.call(`/integrations/hubspot/sync?${OWNER}`, { method: "POST" });
      const deadline = Date.now() + 10_000;
      while ((await syncStatus(t, "hubspot")).started_at === before && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // The step's run has ended once its lease is released: the next ask starts a new one.
      await new Promise((resolve) => setTimeout(resolve, 150));
      const state = (await syncStatus(t, "hubspot")).state;
      if (state === "ok" || state === "failed") return runs;
    }
    throw new Error("the sync never ended");
  };
  try {
    await t.connect();
    await runToEnd();
    assert.equal((await syncStatus(t, "hubspot")).state, "ok");
    const snapshot = await allChanges(t, "hubspot", null);
    const contact = t.control.data.contacts.find((r) => !r.archived)!;
    await edit(t, { action: "rename", type: "contacts", id: contact.id, name: "Step by step" });
    await edit(t, { action: "add", type: "deals", name: "Added in steps" });

    const calls = t.control.counters.crmCalls;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const runs = await runToEnd();
    assert.equal((await syncStatus(t, "hubspot")).state, "ok");
    assert.ok(runs > 2, `the feed and the merge took several runs (${runs})`);
    // Three searches and three archived pages: each once, whatever the runs.
    assert.equal(t.control.counters.crmCalls - calls, 6, "no step was fetched twice");
    const feed = await allChanges(t, "hubspot", snapshot.next);
    assert.deepEqual(
      feed.changes.map((c) => c.item?.name).sort(),
      ["Added in steps", "Step by step"],
    );
    assert.deepEqual(new Set((await copyItems(t, "hubspot")).keys()), liveIds(t.control));

    // A failing incremental sync leaves the copy readable; the next sync lists everything.
    await edit(t, { action: "rename", type: "contacts", id: contact.id, name: "After failure" });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    t.control.failNext("crm", { status: 400, body: { status: "error", message: "no" } }, 6);
    await runToEnd();
    assert.equal((await syncStatus(t, "hubspot")).state, "failed");
    const before = t.control.counters.crmCalls;
    while ((await syncStatus(t, "hubspot")).state !== "ok") await runToEnd();
    assert.ok(t.control.counters.crmCalls - before >= 19, "a full listing after the failure");
    const after = await allChanges(t, "hubspot", feed.next);
    assert.deepEqual(after.changes.map((c) => c.item?.name), ["After failure"]);
  } finally {
    await t.close();
  }
});
