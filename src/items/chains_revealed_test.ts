/** runChains with chains that reveal others: each runs after its revealer, carried in cursors. */
import assert from "node:assert/strict";
import type { ChainPosition } from "../contract/chains.ts";
import { runChains } from "./chains.ts";
import { nestedFake, starts } from "./chains_fakes.ts";

Deno.test("revealed chains run too, each after the items of the chain that revealed it", async () => {
  const result = await runChains({
    positions: starts("parent"),
    limit: null,
    callBudget: null,
    maxPageSize: 4,
    fetchPage: nestedFake(),
  });
  assert.equal(result.items.length, 3 + 45);
  assert.deepEqual(result.items.slice(0, 4).map((i) => i.id), ["p0", "p1", "p2", "p0-c0"]);
  assert.deepEqual(result.remaining, []);
});

Deno.test("with a limit, revealed chains are carried in the cursor and every item comes once", async () => {
  const fetchPage = nestedFake();
  const seen: string[] = [];
  let positions: ChainPosition[] = starts("parent");
  while (positions.length > 0) {
    const page = await runChains({
      positions,
      limit: 7,
      callBudget: null,
      maxPageSize: 4,
      fetchPage,
    });
    assert.ok(page.items.length <= 7);
    seen.push(...page.items.map((i) => i.id));
    positions = page.remaining;
  }
  assert.equal(seen.length, 48);
  assert.equal(new Set(seen).size, 48);
});

Deno.test("a bounded run hands a finished chain's leftover to the chains it revealed", async () => {
  const result = await runChains({
    positions: starts("parent"),
    limit: 1000,
    callBudget: null,
    maxPageSize: 4,
    fetchPage: nestedFake(),
  });
  assert.equal(result.items.length, 48);
  assert.deepEqual(result.remaining, []);
  const tight = await runChains({
    positions: starts("parent"),
    limit: 10,
    callBudget: null,
    maxPageSize: 4,
    fetchPage: nestedFake(),
  });
  assert.ok(tight.items.length <= 10);
  assert.ok(tight.remaining.length > 0);
});
