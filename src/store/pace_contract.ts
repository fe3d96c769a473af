/** The pacer's part of the Store contract: slots in order, bounded waits, scopes, blocks, races. */
import assert from "node:assert/strict";
import type { Store } from "./store.ts";

/** Runs the pacing steps against `store` (a step of runStoreContract). */
export async function runPaceContract(t: Deno.TestContext, store: Store): Promise<void> {
  await t.step("pace hands out starts in order, at most `requests` per window", async () => {
    const scope = { key: "contract:pace:order", requests: 2, windowMs: 300 };
    const first = await store.pace({ scopes: [scope], count: 5, maxWaitMs: null });
    assert.deepEqual(first.waitsMs, [0, 0, 300, 300, 600]);
    assert.equal(first.refusedWaitMs, null);
    assert.deepEqual(first.used, [1], "the window ending at the last slot holds only it");
    const next = await store.pace({ scopes: [scope], count: 1, maxWaitMs: null });
    assert.ok(next.waitsMs[0] > 500 && next.waitsMs[0] <= 600, `waited ${next.waitsMs}`);
  });

  await t.step("pace takes no slot further away than maxWaitMs", async () => {
    const scope = { key: "contract:pace:bounded", requests: 1, windowMs: 5_000 };
    assert.deepEqual(
      (await store.pace({ scopes: [scope], count: 1, maxWaitMs: 0 })).waitsMs,
      [0],
    );
    const refused = await store.pace({ scopes: [scope], count: 2, maxWaitMs: 1_000 });
    assert.deepEqual(refused.waitsMs, []);
    assert.ok(refused.refusedWaitMs! > 4_000, `refused at ${refused.refusedWaitMs}`);
    const again = await store.pace({ scopes: [scope], count: 1, maxWaitMs: 1_000 });
    assert.ok(again.refusedWaitMs! > 4_000, "a refused slot was not reserved either");
    assert.deepEqual(again.used, [1]);
  });

  await t.step("pace counts a slot against every scope it names", async () => {
    const narrow = { key: "contract:pace:narrow", requests: 1, windowMs: 10_000 };
    const wide = { key: "contract:pace:wide", requests: 3, windowMs: 10_000 };
    await store.pace({ scopes: [narrow, wide], count: 1, maxWaitMs: null });
    const both = await store.pace({ scopes: [narrow, wide], count: 1, maxWaitMs: 0 });
    assert.ok(both.refusedWaitMs! > 9_000, "the narrow scope is full");
    const wideOnly = await store.pace({ scopes: [wide], count: 3, maxWaitMs: 0 });
    assert.deepEqual(wideOnly.waitsMs, [0, 0], "the wide scope had two left");
    assert.deepEqual(wideOnly.used, [3]);
  });

  await t.step(
    "a call waiting for a busy scope holds back no one in its other scopes",
    async () => {
      // Two Airtable bases under one token: base A's second call waits for A's window, and
      // base B's call goes now, still counted against the token.
      const [a, b] = ["a", "b"].map((n) => ({ key: `contract:pace:base-${n}`, requests: 1 }));
      const token = { key: "contract:pace:token", requests: 4, windowMs: 5_000 };
      const call = (base: { key: string; requests: number }) =>
        store.pace({ scopes: [{ ...base, windowMs: 5_000 }, token], count: 1, maxWaitMs: null });
      assert.deepEqual((await call(a)).waitsMs, [0]);
      assert.ok((await call(a)).waitsMs[0] > 4_000, "base A is full");
      assert.deepEqual((await call(b)).waitsMs, [0], "base B does not wait behind A");
      const rest = await store.pace({ scopes: [token], count: 3, maxWaitMs: 0 });
      assert.deepEqual(rest.waitsMs, [0], "the token counted all three");
    },
  );

  await t.step("a block holds every caller of the scope until it ends", async () => {
    const scope = { key: "contract:pace:blocked", requests: 100, windowMs: 1_000 };
    const blocked = await store.pace({
      scopes: [scope],
      count: 0,
      maxWaitMs: null,
      block: { keys: [scope.key], ms: 2_000 },
    });
    assert.deepEqual(blocked.waitsMs, []);
    const waiting = await store.pace({ scopes: [scope], count: 2, maxWaitMs: null });
    for (const wait of waiting.waitsMs) assert.ok(wait > 1_500 && wait <= 2_000, `${wait}`);
    const shorter = await store.pace({
      scopes: [scope],
      count: 1,
      maxWaitMs: null,
      block: { keys: [scope.key], ms: 10 },
    });
    assert.ok(shorter.waitsMs[0] > 1_500, "a shorter block does not cut a longer one");
  });

  await t.step("pace gives each of many concurrent callers its own slot", async () => {
    const scope = { key: "contract:pace:race", requests: 3, windowMs: 60_000 };
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => store.pace({ scopes: [scope], count: 1, maxWaitMs: 0 })),
    );
    assert.equal(answers.filter((a) => a.waitsMs.length === 1).length, 3);
    assert.equal(answers.filter((a) => a.refusedWaitMs !== null).length, 17);
  });
}
