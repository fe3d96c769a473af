import assert from "node:assert/strict";
import type { ChainPosition } from "../contract/chains.ts";
import { runChains } from "./chains.ts";
import { fakeChains, starts } from "./chains_fakes.ts";

Deno.test("without a limit every chain is followed to its end, grouped in chain order", async () => {
  const fake = fakeChains({ a: 250, b: 30, c: 0 });
  const result = await runChains({
    positions: starts("a", "b", "c"),
    limit: null,
    callBudget: null,
    maxPageSize: 100,
    fetchPage: fake.fetchPage,
  });
  assert.equal(result.items.length, 280);
  assert.equal(result.items[0].id, "a-0");
  assert.equal(result.items[250].id, "b-0");
  assert.deepEqual(result.remaining, []);
  assert.equal(fake.calls.filter((c) => c.startsWith("a@")).length, 3);
});

Deno.test("a limit is shared between chains and pages never lose or repeat items", async () => {
  for (const lazy of [false, true]) {
    const fake = fakeChains({ a: 95, b: 40, c: 7 }, { lazy });
    const seen: string[] = [];
    let positions: ChainPosition[] = starts("a", "b", "c");
    let pages = 0;
    while (positions.length > 0) {
      const page = await runChains({
        positions,
        limit: 25,
        callBudget: null,
        maxPageSize: 10,
        fetchPage: fake.fetchPage,
      });
      assert.ok(page.items.length <= 25);
      seen.push(...page.items.map((i) => i.id));
      positions = page.remaining;
      pages++;
    }
    assert.equal(seen.length, 142);
    assert.equal(new Set(seen).size, 142);
    assert.ok(pages >= 6);
  }
});

Deno.test("a chain's next request leaves before its lazy page is mapped", async () => {
  const fake = fakeChains({ a: 25 }, { lazy: true });
  const result = await runChains({
    positions: starts("a"),
    limit: null,
    callBudget: null,
    maxPageSize: 10,
    fetchPage: fake.fetchPage,
  });
  assert.equal(result.items.length, 25);
  assert.deepEqual(fake.calls, [
    "a@0/10",
    "a@10/10",
    "map a@0",
    "a@20/10",
    "map a@10",
    "map a@20",
  ]);
});

Deno.test("when a limit leaves less than a full page, the page is mapped before the next request is sized", async () => {
  const fake = fakeChains({ a: 25 }, { lazy: true });
  const result = await runChains({
    positions: starts("a"),
    limit: 15,
    callBudget: null,
    maxPageSize: 10,
    fetchPage: fake.fetchPage,
  });
  assert.equal(result.items.length, 15);
  assert.deepEqual(fake.calls, ["a@0/10", "map a@0", "a@10/5", "map a@10"]);
  assert.deepEqual(result.remaining, [{ chain: "a", cursor: "15" }]);
});

Deno.test("a limit smaller than the number of chains leaves the other chains untouched", async () => {
  const fake = fakeChains({ a: 5, b: 5, c: 5 });
  const page = await runChains({
    positions: starts("a", "b", "c"),
    limit: 1,
    callBudget: null,
    maxPageSize: 100,
    fetchPage: fake.fetchPage,
  });
  assert.deepEqual(page.items.map((i) => i.id), ["a-0"]);
  assert.deepEqual(page.remaining, [
    { chain: "a", cursor: "1" },
    { chain: "b", cursor: null },
    { chain: "c", cursor: null },
  ]);
  assert.deepEqual(fake.calls, ["a@0/1"]);
});

Deno.test("a provider that repeats a cursor is stopped instead of looping", async () => {
  await assert.rejects(
    runChains({
      positions: starts("a"),
      limit: null,
      callBudget: null,
      maxPageSize: 10,
      fetchPage: () => Promise.resolve({ items: [], next: "same" }),
    }),
    /same page cursor twice/,
  );
});

Deno.test("a call budget bounds each request's provider calls and the cursor carries on", async () => {
  const fake = fakeChains({ a: 250, b: 30, c: 0 });
  const seen: string[] = [];
  let positions: ChainPosition[] = starts("a", "b", "c");
  let requests = 0;
  while (positions.length > 0) {
    const before = fake.calls.length;
    const page = await runChains({
      positions,
      limit: null,
      callBudget: 2,
      maxPageSize: 40,
      fetchPage: fake.fetchPage,
    });
    assert.ok(fake.calls.length - before <= 2);
    seen.push(...page.items.map((i) => i.id));
    positions = page.remaining;
    requests++;
  }
  assert.equal(seen.length, 280);
  assert.equal(new Set(seen).size, 280);
  assert.ok(requests >= 4);
});

Deno.test("the same cursor and budget give the same page whatever the timing", async () => {
  const run = async (jitter: boolean) => {
    const fake = fakeChains({ a: 90, b: 90, c: 90 });
    const slow = async (position: ChainPosition, size: number) => {
      if (jitter) await new Promise((r) => setTimeout(r, Math.random() * 5));
      return await fake.fetchPage(position, size);
    };
    return await runChains({
      positions: starts("a", "b", "c"),
      limit: 50,
      callBudget: 4,
      maxPageSize: 10,
      fetchPage: slow,
    });
  };
  assert.deepEqual(await run(true), await run(false));
});

Deno.test("a limited answer deals its pages across groups before a group's other chains", async () => {
  const fake = fakeChains({ a1: 50, a2: 50, a3: 50, b1: 50 });
  const positions: ChainPosition[] = [
    { chain: "a1", cursor: null, group: "A" },
    { chain: "a2", cursor: null, group: "A" },
    { chain: "a3", cursor: null, group: "A" },
    { chain: "b1", cursor: null, group: "B" },
  ];
  const page = await runChains({
    positions,
    limit: 20,
    callBudget: null,
    maxPageSize: 10,
    fetchPage: fake.fetchPage,
  });
  assert.deepEqual(fake.calls, ["a1@0/10", "b1@0/10"]);
  assert.equal(page.items.length, 20);
});

Deno.test("a limit under a page per chain mixes the chains instead of filling one", async () => {
  const fake = fakeChains({ contact: 500, company: 500, deal: 500 });
  const page = await runChains({
    positions: starts("contact", "company", "deal"),
    limit: 100,
    callBudget: null,
    maxPageSize: 100,
    fetchPage: fake.fetchPage,
  });
  const count = (type: string) => page.items.filter((i) => i.type === type).length;
  assert.deepEqual([count("contact"), count("company"), count("deal")], [34, 34, 32]);
  assert.deepEqual(fake.calls, ["contact@0/34", "company@0/34", "deal@0/32"]);
});

Deno.test("in a sync's steps, every rate-limit group gets as many pages", async () => {
  // Group a has one chain, b three, c two: pages go to groups evenly, not to chains.
  const fake = fakeChains({ a1: 1_000, b1: 1_000, b2: 1_000, b3: 1_000, c1: 1_000, c2: 1_000 });
  let positions: ChainPosition[] = ["a1", "b1", "b2", "b3", "c1", "c2"].map((chain) => ({
    chain,
    cursor: null,
    group: chain[0],
  }));
  for (let step = 0; step < 6; step++) {
    const before = fake.calls.length;
    const page = await runChains({
      positions,
      limit: 40,
      callBudget: null,
      maxPageSize: 10,
      fetchPage: fake.fetchPage,
      evenGroups: true,
    });
    const pagesOf = new Map<string, number>();
    for (const call of fake.calls.slice(before)) {
      const group = call.split("@")[0][0];
      pagesOf.set(group, (pagesOf.get(group) ?? 0) + 1);
    }
    // 4 pages asked over 3 groups: rounded up to 2 each.
    assert.deepEqual([...pagesOf].sort(), [["a", 2], ["b", 2], ["c", 2]], `step ${step}`);
    assert.equal(page.items.length, 60);
    positions = page.remaining;
  }
  const live = await runChains({
    positions,
    limit: 40,
    callBudget: null,
    maxPageSize: 10,
    fetchPage: fake.fetchPage,
  });
  assert.equal(live.items.length, 40, "a live answer keeps to its limit");
});
