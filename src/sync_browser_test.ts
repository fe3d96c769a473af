/**
 * The synced copy on the dashboard, in Chromium, with background syncs on: connecting starts
 * the first sync, the card then says when it synced and how many items the copy holds, Sync now
 * runs another, the items panel counts what the copy holds per type, and the name filter
 * searches the whole copy at once (a name deep in the listing is found on the first answer, not
 * after pages of "Load more").
 */
import assert from "node:assert/strict";
import { createKvStore } from "./store/kv_store.ts";
import { chromiumAvailable, decideAndReturn, launchChromium, signIn } from "./testing/chromium.ts";
import { startHub, TEST_API_KEY } from "./testing/hub.ts";

const available = chromiumAvailable();

Deno.test({
  name: "in Chromium: the card shows the sync, Sync now re-syncs, the filter searches the copy",
  ignore: !available,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const kv = await Deno.openKv(":memory:");
    const hub = startHub({ store: createKvStore(kv), env: { SYNC_INTERVAL_MINUTES: "15" } });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const failures: string[] = [];
      page.on("pageerror", (e) => failures.push(String(e)));
      await signIn(page, hub, "lin");
      const card = page.locator("#card-hubspot");
      await card.getByRole("button", { name: "Connect" }).click();
      await page.waitForURL(/\/sandbox\//);
      await decideAndReturn(page, "Approve");

      // The copy as the API sees it, to compare the card and the filter with.
      const api = (path: string) =>
        fetch(`${hub.url}${path}`, { headers: { Authorization: `Bearer ${TEST_API_KEY}` } })
          .then((r) => r.json());
      const deadline = Date.now() + 15_000;
      let status = await api("/integrations/hubspot/status?user_id=lin&org_id=acme");
      while (status.sync.state !== "ok" && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        status = await api("/integrations/hubspot/status?user_id=lin&org_id=acme");
      }
      assert.equal(status.sync.state, "ok");
      await page.reload();
      const count = status.sync.items.toLocaleString("en-US");
      await card.getByText(`· ${count} items`).waitFor();

      const before = status.sync.finished_at;
      await card.getByRole("button", { name: "Sync now" }).click();
      while (Date.now() < deadline) {
        status = await api("/integrations/hubspot/status?user_id=lin&org_id=acme");
        if (status.sync.state === "ok" && status.sync.finished_at !== before) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.notEqual(status.sync.finished_at, before, "Sync now ran a sync");

      // A name from the end of the copy: the live listing would reach it only pages later.
      const everything = await api("/integrations/hubspot/items?user_id=lin&org_id=acme");
      const last = everything.items.at(-1);
      const needle = last.name.slice(0, Math.min(8, last.name.length));
      const expected = everything.items.filter((i: { name: string }) =>
        i.name.toLowerCase().includes(needle.toLowerCase())
      ).length;
      await card.getByRole("link", { name: "Load items" }).click();
      // Counts per type say what the account holds, not only what the first page loaded.
      await page.getByText(`of ${count} in the copy`).waitFor();
      const deals = everything.items.filter((i: { type: string }) =>
        i.type === "deal"
      ).length;
      await page.locator(".summary .count", { hasText: "deal" }).getByText(`of ${deals}`)
        .waitFor();
      await page.getByLabel("Filter by name").fill(needle);
      const names = page.locator("tbody tr:not(.more) td:first-child");
      const until = Date.now() + 10_000;
      while (Date.now() < until) {
        const shown = await names.allTextContents();
        if (
          shown.length > 0 && shown.every((n) => n.toLowerCase().includes(needle.toLowerCase()))
        ) {
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      const shown = await names.allTextContents();
      assert.equal(shown.length, Math.min(expected, 100), `matches for ${needle}`);
      assert.ok(shown.some((n) => n === last.name), "the item from the end of the copy is found");
      assert.deepEqual(failures, []);
    } finally {
      await browser.close();
      await hub.close();
      kv.close();
    }
  },
});
