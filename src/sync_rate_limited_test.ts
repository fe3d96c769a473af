/**
 * Syncs wait out a provider's rate-limit penalty instead of failing: an Airtable 429 blocks the
 * base for 30 s, longer than PROVIDER_CALL_TIMEOUT_MS (20 s) bounds one call with its retries,
 * so a sync whose call counted that wait against the bound always failed. Over real HTTP, on
 * a real Redis behind the Upstash layer.
 */
import assert from "node:assert/strict";
import { createAirtableSandbox } from "./sandbox/airtable/sandbox.ts";
import { startTestRedis } from "./testing/redis_harness.ts";
import {
  allChanges,
  editSandbox,
  OWNER,
  settled,
  startSyncHub,
  syncNow,
} from "./testing/sync_probe.ts";

const redis = await startTestRedis();
await redis?.close();

Deno.test({
  name: "an Airtable sync that meets a 429 waits out the 30 s penalty and completes",
  ignore: redis === null,
  fn: async () => {
    const t = await startSyncHub({
      provider: "airtable",
      // Only the injected 429: a busy machine's bunched requests must not add their own.
      makeSandbox: (app) =>
        createAirtableSandbox({ ...app, rateLimit: { perBasePerSecond: 50, penaltyMs: 1000 } }),
      env: { PROVIDER_CALL_TIMEOUT_MS: "20000" },
    });
    try {
      assert.equal((await t.connect()).status, 303);
      assert.equal((await settled(t, "airtable", null)).state, "ok");
      const snapshot = await allChanges(t, "airtable", null);
      const record = t.control.bases[0].tables[0].records[0];
      await editSandbox(t, { action: "rename_record", id: record.id, name: "After the wait" });

      // The sync's first call (the bases list) is answered as Airtable answers over its limit.
      t.control.failNext("api", {
        status: 429,
        body: {
          errors: [{ error: "RATE_LIMIT_REACHED", message: "Rate limit exceeded." }],
        },
      });
      const sync = await syncNow(t, "airtable", 120_000);
      assert.equal(sync.last_error, null);
      const limited = t.log.lines.filter((line) =>
        line.includes('"provider call"') && line.includes('"status":429')
      );
      assert.equal(limited.length, 1, "the sync met the 429");

      const { changes } = await allChanges(t, "airtable", snapshot.next);
      assert.deepEqual(
        changes.map((c) => [c.action, c.id, c.item?.name]),
        [["upsert", record.id, "After the wait"]],
      );
      const items = (await t.call(`/integrations/airtable/items?${OWNER}&q=After the wait`))
        .json();
      assert.deepEqual(items.items.map((i: { id: string }) => i.id), [record.id]);
      assert.equal(items.next_cursor, null);
    } finally {
      await t.close();
    }
  },
});
