/**
 * Notion through the whole hub over real HTTP (connect, status, items, disconnect), against
 * the sandbox on its own port. Skipped until the registry lists the Notion provider.
 */
import assert from "node:assert/strict";
import { PROVIDERS } from "../../providers/registry.ts";
import { createKvStore } from "../../store/kv_store.ts";
import { startProviderHub } from "../../testing/provider_hub.ts";
import { titleOf } from "./data.ts";
import { createNotionSandbox } from "./sandbox.ts";

interface Item {
  id: string;
  type: string;
  name: string;
  parent_id: string | null;
  parent_path_or_name: string | null;
}

Deno.test({
  name: "Notion through the hub: connect, every page and database once, disconnect revokes",
  ignore: PROVIDERS.notion === undefined,
  fn: async () => {
    const kv = await Deno.openKv(":memory:");
    const t = await startProviderHub({
      provider: "notion",
      store: createKvStore(kv),
      makeSandbox: (app) => createNotionSandbox(app),
    });
    try {
      const done = await t.connect();
      assert.equal(done.status, 303);
      assert.equal(done.location, "/?connected=notion");
      const status = (await t.call("/integrations/notion/status")).json();
      assert.equal(status.status, "connected");
      assert.equal(status.account.name, "Acme Sandbox");

      const whole = (await t.call("/integrations/notion/items")).json();
      const seeded = t.control.searchable();
      assert.equal(whole.items.length, seeded.length);
      assert.equal(whole.next_cursor, null);
      const names = new Map(seeded.map((o) => [o.id, titleOf(o).trim() || "Untitled"]));
      for (const item of whole.items as Item[]) assert.equal(item.name, names.get(item.id));
      const row = (whole.items as Item[]).find((i) => i.name.startsWith("Task 1:"))!;
      assert.equal(row.parent_path_or_name, "Sprint tasks");

      const paged: Item[] = [];
      let cursor: string | null = null;
      do {
        const query: URLSearchParams = new URLSearchParams({ limit: "40" });
        if (cursor !== null) query.set("cursor", cursor);
        const answer: { items: Item[]; next_cursor: string | null } =
          (await t.call(`/integrations/notion/items?${query}`)).json();
        paged.push(...answer.items);
        cursor = answer.next_cursor;
      } while (cursor);
      assert.deepEqual(paged.map((i) => i.id).sort(), [...names.keys()].sort());

      await t.control.expireAccessTokens();
      const again = (await t.call("/integrations/notion/items?limit=5")).json();
      assert.equal(again.items.length, 5);
      assert.equal(t.control.counters.refreshes, 1);

      assert.equal((await t.call("/integrations/notion", { method: "DELETE" })).status, 204);
      assert.equal(t.control.counters.revocations, 1);
      assert.deepEqual(await t.control.liveRefreshTokens(), []);
      for (const secret of t.control.issuedAccessTokens()) {
        assert.ok(!t.answers.some((a) => a.includes(secret)));
        assert.ok(!t.log.lines.some((l) => l.includes(secret)));
      }
    } finally {
      await t.close();
      kv.close();
    }
  },
});
