import assert from "node:assert/strict";
import { makeItem } from "../contract/item.ts";
import { createKvStore } from "../store/kv_store.ts";
import { CHUNK_ITEMS, chunkItems, type CopyPosition, CopyStore } from "./copy.ts";
import { type CopyFilters, NO_FILTERS } from "./filters.ts";

const items = (n: number, name: (i: number) => string = (i) => `item ${i}`) =>
  Array.from(
    { length: n },
    (_, i) => makeItem({ id: `x:${i}`, type: i % 3 === 0 ? "deal" : "contact", name: name(i) }),
  );

Deno.test("chunks stay within Deno KV's value limit, names beyond Latin-1 included", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const store = createKvStore(kv);
    const copy = new CopyStore(store, "t");
    const wide = items(600, (i) => `名前 😀 ${"ü".repeat(200)} ${i}`);
    const chunks = chunkItems(wide);
    assert.ok(chunks.length > 600 / CHUNK_ITEMS, "the byte bound split them further");
    await store.setMany(chunks.flatMap((chunk, n) => copy.chunkWrites(1, n, chunk)));
    const read = await copy.page(1, { chunk: 0, offset: 0 }, 1000, NO_FILTERS);
    assert.deepEqual(read.items.map((i) => i.id), wide.map((i) => i.id));
    assert.equal(read.next, null);
  } finally {
    kv.close();
  }
});

Deno.test("pages continue exactly where the last one stopped, filtered or not", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const store = createKvStore(kv);
    const copy = new CopyStore(store, "t");
    const all = items(1234);
    await store.setMany(chunkItems(all).flatMap((chunk, n) => copy.chunkWrites(1, n, chunk)));
    const cases: [number, CopyFilters][] = [
      [7, NO_FILTERS],
      [250, NO_FILTERS],
      [33, { ...NO_FILTERS, types: ["deal"] }],
      [5, { ...NO_FILTERS, q: "item 12" }],
    ];
    for (const [limit, filters] of cases) {
      const seen: string[] = [];
      let at: { chunk: number; offset: number } | null = { chunk: 0, offset: 0 };
      while (at !== null) {
        const page = await copy.page(1, at, limit, filters);
        assert.ok(page.items.length <= limit);
        seen.push(...page.items.map((i) => i.id));
        at = page.next;
      }
      const expected = all.filter((i) =>
        (filters.types.length === 0 || filters.types.includes(i.type)) &&
        i.name.includes(filters.q)
      );
      assert.deepEqual(seen, expected.map((i) => i.id), `limit ${limit}`);
    }
  } finally {
    kv.close();
  }
});

Deno.test("after the first page, a page of large items is one read of the chunks", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const kvStore = createKvStore(kv);
    let reads = 0;
    const store = {
      ...kvStore,
      getMany: (keys: string[]) => {
        reads++;
        return kvStore.getMany(keys);
      },
    };
    const copy = new CopyStore(store, "t");
    // About 400 bytes each: some 70 to a chunk, fewer than the 100 a first page assumes.
    const large = items(5000, (i) => `${"a long name ".repeat(30)} ${i}`);
    const chunks = chunkItems(large);
    assert.ok(large.length / chunks.length < 100, `${large.length / chunks.length} a chunk`);
    await kvStore.setMany(chunks.flatMap((chunk, n) => copy.chunkWrites(1, n, chunk)));
    const readsPerPage: number[] = [];
    const seen: string[] = [];
    let at: CopyPosition | null = { chunk: 0, offset: 0 };
    while (at !== null) {
      const before = reads;
      const page = await copy.page(1, at, 1000, NO_FILTERS);
      readsPerPage.push(reads - before);
      seen.push(...page.items.map((i) => i.id));
      at = page.next;
    }
    assert.deepEqual(seen, large.map((i) => i.id));
    assert.deepEqual(readsPerPage.slice(1), [1, 1, 1, 1], `reads per page: ${readsPerPage}`);
  } finally {
    kv.close();
  }
});
