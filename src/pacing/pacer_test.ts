import assert from "node:assert/strict";
import { createMemoryStore } from "../store/memory_store.ts";
import type { PaceRequest, PaceScope, Store } from "../store/store.ts";
import { Pacer, RateLimitWaitTooLong } from "./pacer.ts";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A memory store that records every pace request it is sent. */
function recordingStore(): { store: Store; paces: PaceRequest[] } {
  const inner = createMemoryStore();
  const paces: PaceRequest[] = [];
  return {
    paces,
    store: {
      ...inner,
      pace: (request) => {
        paces.push(request);
        return inner.pace(request);
      },
    },
  };
}

Deno.test("a listing's concurrent calls share one round trip, and go in order", async () => {
  const { store, paces } = recordingStore();
  const pacer = new Pacer({ store, clock: Date.now, sleep });
  const session = pacer.session();
  const scope = { key: "s", requests: 3, windowMs: 300 };
  const started: number[] = [];
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      await session.acquire([scope], null);
      started.push(Date.now() - t0);
    }),
  );
  assert.equal(paces.length, 1, "six slots, one round trip");
  assert.equal(paces[0].count, 6);
  assert.ok(started.slice(0, 3).every((t) => t < 150), `${started}`);
  assert.ok(started.slice(3).every((t) => t >= 290), `${started}`);
  assert.equal(pacer.stats.roundTrips, 1);
  assert.equal(pacer.stats.slots, 6);
});

Deno.test("without round trips to share, a call asks at once, and later calls keep order", async () => {
  const { store, paces } = recordingStore();
  const pacer = new Pacer({ store, clock: Date.now, sleep, shareRoundTrips: false });
  const session = pacer.session();
  const scope = { key: "s", requests: 3, windowMs: 300 };
  const started: number[] = [];
  const t0 = Date.now();
  const calls = Array.from({ length: 6 }, async () => {
    await session.acquire([scope], null);
    started.push(Date.now() - t0);
  });
  assert.equal(paces.length, 1, "the first call asked before any timer turn");
  assert.equal(paces[0].count, 1);
  await Promise.all(calls);
  assert.deepEqual(paces.map((p) => p.count), [1, 5], "the rest asked when it answered");
  assert.ok(started.slice(0, 3).every((t) => t < 150), `${started}`);
  assert.ok(started.slice(3).every((t) => t >= 290), `${started}`);
});

Deno.test("a slot further than the bound is refused at once with its wait", async () => {
  const pacer = new Pacer({ store: createMemoryStore(), clock: Date.now, sleep });
  const scope = { key: "s", requests: 1, windowMs: 5_000 };
  await pacer.session().acquire([scope], 100);
  const error = await pacer.session().acquire([scope], 100).catch((e: unknown) => e);
  assert.ok(error instanceof RateLimitWaitTooLong);
  assert.ok(error.waitMs > 4_000, `${error.waitMs}`);
});

Deno.test("a block rides on the retry's reservation, and holds other sessions too", async () => {
  const { store, paces } = recordingStore();
  const pacer = new Pacer({ store, clock: Date.now, sleep });
  const scope = { key: "s", requests: 100, windowMs: 1_000 };
  const first = pacer.session();
  await first.acquire([scope], null);
  await first.block([scope], ["s"], 400, { retryMaxWaitMs: null });
  const t0 = Date.now();
  await first.acquire([scope], null);
  assert.ok(Date.now() - t0 >= 380, "the retry waited the block out");
  assert.equal(paces.length, 2, "the block went with the retry's round trip");
  assert.deepEqual(paces[1].block, { keys: ["s"], ms: 400 });
  await pacer.session().block([scope], ["s"], 300, "alone");
  assert.equal(paces.length, 3);
  const other = new Pacer({ store, clock: Date.now, sleep });
  const refused = await other.session().acquire([scope], 100).catch((e: unknown) => e);
  assert.ok(refused instanceof RateLimitWaitTooLong, "another process's pacer sees the block");
});

Deno.test("a call that left late holds back the call a window after it", () => {
  let now = 1_000;
  const pacer = new Pacer({ store: createMemoryStore(), clock: () => now, sleep });
  const sends = [{ key: "s", requests: 2, windowMs: 1_000 }];
  pacer.calls.noteSent(sends);
  assert.equal(pacer.calls.holdMs(sends), 0, "one call sent, two allowed");
  now += 80; // the second call's slot was at 1_000 too, but it left 80 ms late
  pacer.calls.noteSent(sends);
  now = 2_000; // the third call's slot: a window after the first two slots
  assert.equal(pacer.calls.holdMs(sends), 0, "a window after the first call, which left on time");
  pacer.calls.noteSent(sends);
  now = 2_010;
  assert.equal(pacer.calls.holdMs(sends), 70, "a window after the late one, not after its slot");
  now = 2_080;
  assert.equal(pacer.calls.holdMs(sends), 0);
  assert.equal(pacer.calls.holdMs([{ key: "other", requests: 2, windowMs: 1_000 }]), 0);
});

Deno.test("slots allow for calls that reach the provider unevenly, by their bursts' answers", async () => {
  const { store, paces } = recordingStore();
  const pacer = new Pacer({ store, clock: Date.now, sleep });
  const spread = (scope: PaceScope) => pacer.calls.arrivalSpreadMs([scope]);
  const base = { key: "base", requests: 5, windowMs: 1_000 };
  const other = { key: "other", requests: 5, windowMs: 1_000 };
  // Calls sent 100 ms apart: each is a burst of its own.
  [50, 52, 51, 50].forEach((ms, i) => pacer.calls.noteAnswered([base], i * 100, ms));
  assert.equal(spread(base), 100, "four answers tell too little");
  pacer.calls.noteAnswered([base], 400, 53);
  assert.equal(spread(base), 3, "five bursts answered within 3 ms");
  // Five calls that left together, under two scopes: the later answers waited behind the
  // quickest at the provider, and an answer of the burst before comes back last.
  for (const [i, ms] of [60, 90, 120, 150].entries()) {
    pacer.calls.noteAnswered([base, other], 1_000 + i, ms);
  }
  pacer.calls.noteAnswered([base], 400, 58);
  assert.equal(spread(base), 10, "a burst counts by its quickest answer");
  assert.equal(spread(other), 100, "one burst tells too little, however many answers");
  pacer.calls.noteAnswered([other], 2_000, 55);
  pacer.calls.noteAnswered([base], 3_000, 170);
  assert.equal(spread(base), 120, "a burst answered late, from its quickest answer on");
  assert.equal(spread(other), 5, "another scope's bursts are its own");
  await pacer.session().acquire([base], null);
  await pacer.session().acquire([other], null);
  assert.ok(paces[0].lateMs! >= 120, `late by ${paces[0].lateMs} ms`);
  assert.ok(paces[1].lateMs! < 120, `late by ${paces[1].lateMs} ms`);
});
