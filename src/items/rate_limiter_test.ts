import assert from "node:assert/strict";
import { RateLimiter, RateLimitWaitTooLong } from "./rate_limiter.ts";

/** A limiter on a fake clock whose sleep moves time; records when each acquire returned. */
function fakeLimiter(requests: number, windowMs: number) {
  let now = 0;
  const limiter = new RateLimiter(requests, windowMs, () => now, (ms) => {
    now += ms;
    return Promise.resolve();
  });
  return { limiter, now: () => now };
}

const window = 1_000 + RateLimiter.MARGIN_MS;

Deno.test("starts are paced: at most `requests` per window, in order", async () => {
  const { limiter, now } = fakeLimiter(3, 1_000);
  const starts: number[] = [];
  for (let i = 0; i < 7; i++) {
    await limiter.acquire("k");
    starts.push(now());
  }
  assert.deepEqual(starts, [0, 0, 0, window, window, window, 2 * window]);
  // Another key has its own window.
  await limiter.acquire("other");
  assert.equal(now(), 2 * window);
});

Deno.test("a caller that would wait longer than it may is told at once and takes no slot", async () => {
  const { limiter, now } = fakeLimiter(2, 1_000);
  await limiter.acquire("k");
  await limiter.acquire("k");
  await assert.rejects(limiter.acquire("k", 500), (error: unknown) => {
    assert.ok(error instanceof RateLimitWaitTooLong);
    assert.equal(error.waitMs, window);
    return true;
  });
  assert.equal(now(), 0, "it did not wait");
  // The refused caller left no reservation behind: the next one gets the first free slot.
  await limiter.acquire("k", window);
  assert.equal(now(), window);
});

Deno.test("a 429 penalty blocks the key; a bounded caller is told how long it runs", async () => {
  const { limiter, now } = fakeLimiter(5, 1_000);
  limiter.penalize("k", 30_000);
  await assert.rejects(
    limiter.acquire("k", 10_000),
    (error: unknown) => error instanceof RateLimitWaitTooLong && error.waitMs === 30_000,
  );
  await limiter.acquire("k");
  assert.equal(now(), 30_000);
});

Deno.test("a penalty that comes while a caller sleeps moves its start past the penalty", async () => {
  let now = 0;
  const sleeps: Array<() => void> = [];
  const limiter = new RateLimiter(1, 1_000, () => now, (ms) =>
    new Promise((resolve) => {
      sleeps.push(() => {
        now += ms;
        resolve();
      });
    }));
  await limiter.acquire("k");
  const waiting = limiter.acquire("k");
  await Promise.resolve();
  limiter.penalize("k", 5_000);
  sleeps.shift()!(); // wakes at 1100, still inside the penalty (until 5000)
  await new Promise((r) => setTimeout(r, 0));
  sleeps.shift()!(); // sleeps until the penalty ends
  await waiting;
  assert.equal(now, 5_000);
});
