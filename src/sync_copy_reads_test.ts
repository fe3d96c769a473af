/**
 * What reading the copy costs in store commands: every page of 1,000 items, the first one too,
 * is the sync status and one read of its chunks, whatever the items' size (the status and the
 * cursors carry how many items a chunk holds).
 */
import assert from "node:assert/strict";
import { createHubspotSandbox } from "./sandbox/hubspot/sandbox.ts";
import { createKvStore } from "./store/kv_store.ts";
import type { Store } from "./store/store.ts";
import { startProviderHub } from "./testing/provider_hub.ts";
import { allChanges, OWNER, settled } from "./testing/sync_probe.ts";

Deno.test("each page of the copy and of the changes feed is one read of its chunks", async () => {
  const kv = await Deno.openKv(":memory:");
  const kvStore = createKvStore(kv);
  let chunkReads = 0;
  const store: Store = {
    ...kvStore,
    getMany: (keys) => {
      if (keys.some((key) => key.includes(":copy:"))) chunkReads++;
      return kvStore.getMany(keys);
    },
  };
  const t = await startProviderHub({
    provider: "hubspot",
    store,
    // HubSpot items are about 350 bytes: some 85 to a chunk, fewer than a blind first read of
    // a page assumes.
    makeSandbox: (app) =>
      createHubspotSandbox({ ...app, counts: { contacts: 3000, companies: 500, deals: 1000 } }),
    env: { SYNC_INTERVAL_MINUTES: "15" },
  });
  try {
    await t.connect();
    assert.equal((await settled(t, "hubspot", null, 60_000)).state, "ok");
    const readsPerPage: number[] = [];
    let cursor: string | null = null;
    let items = 0;
    do {
      const before = chunkReads;
      const query: string = `${OWNER}&limit=1000${cursor === null ? "" : `&cursor=${cursor}`}`;
      const page = (await t.call(`/integrations/hubspot/items?${query}`)).json();
      assert.ok(page.synced_at, "served from the copy");
      readsPerPage.push(chunkReads - before);
      items += page.items.length;
      cursor = page.next_cursor;
    } while (cursor !== null);
    assert.ok(readsPerPage.length >= 4, `${items} items in ${readsPerPage.length} pages`);
    assert.ok(readsPerPage.every((n) => n === 1), `chunk reads per page: ${readsPerPage}`);

    const before = chunkReads;
    const feed = await allChanges(t, "hubspot", null);
    assert.equal(feed.changes.length, items);
    assert.ok(chunkReads - before <= readsPerPage.length, `${chunkReads - before} reads`);
  } finally {
    await t.close();
    kv.close();
  }
});
