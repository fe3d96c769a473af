/**
 * A sync under a Worker's subrequest budget (50 an invocation on the free plan, store commands
 * and provider calls alike) completes a 100,000-record first sync across runs, each run within
 * the budget. Each run starts afresh, as a new invocation does, and must learn what the copy
 * holds so far (read from the chunks' entries, 128 to a round trip) before listing on.
 */
import assert from "node:assert/strict";
import { createAirtableSandbox } from "./sandbox/airtable/sandbox.ts";
import { createKvStore } from "./store/kv_store.ts";
import { startProviderHub } from "./testing/provider_hub.ts";
import { OWNER } from "./testing/sync_probe.ts";

const BUDGET = 50;

Deno.test("a 100,000-record first sync completes across runs of 50 subrequests each", async () => {
  const kv = await Deno.openKv(":memory:");
  const t = await startProviderHub({
    provider: "airtable",
    store: createKvStore(kv),
    makeSandbox: (app) =>
      createAirtableSandbox({ ...app, bases: 10, tablesPerBase: 10, recordsPerTable: 1000 }),
    env: { SYNC_INTERVAL_MINUTES: "0" },
    syncRunSubrequests: BUDGET,
  });
  try {
    await t.connect();
    const spent: number[] = [];
    let sync = (await t.call(`/integrations/airtable/status?${OWNER}`)).json().sync;
    for (let runs = 0; sync.state !== "ok"; runs++) {
      assert.ok(runs < 400, `the sync moved on at every run (${sync.progress?.done} items)`);
      assert.notEqual(sync.state, "failed", JSON.stringify(sync.last_error));
      const before = t.log.lines.length;
      assert.equal(
        (await t.call(`/integrations/airtable/sync?${OWNER}`, { method: "POST" })).status,
        202,
      );
      // The run has ended once it logged its outcome.
      const deadline = Date.now() + 30_000;
      let ended: { outcome: string; subrequests: number | null } | undefined;
      while (ended === undefined) {
        assert.ok(Date.now() < deadline, "the run ended");
        await new Promise((resolve) => setTimeout(resolve, 10));
        ended = t.log.lines.slice(before).map((line) => JSON.parse(line)).find((line) =>
          line.message === "sync" && ["paused", "synced", "failed"].includes(line.outcome)
        );
      }
      assert.equal(typeof ended.subrequests, "number", JSON.stringify(ended));
      spent.push(ended.subrequests!);
      sync = (await t.call(`/integrations/airtable/status?${OWNER}`)).json().sync;
    }
    assert.equal(sync.items, 100_110);
    assert.ok(spent.length > 10, `${spent.length} runs`);
    assert.ok(spent.every((n) => n <= BUDGET), `subrequests per run: ${spent}`);
    console.log(
      `100,000 records in ${spent.length} runs of at most ${Math.max(...spent)} subrequests`,
    );
  } finally {
    await t.close();
    kv.close();
  }
});
