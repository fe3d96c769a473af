/** The one contract every Store adapter passes, run by each adapter's own test file. */
import assert from "node:assert/strict";
import type { Store } from "./store.ts";

export interface StoreUnderTest {
  store: Store;
  close(): Promise<void>;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runStoreContract(
  t: Deno.TestContext,
  make: () => Promise<StoreUnderTest>,
): Promise<void> {
  const { store, close } = await make();
  try {
    await t.step("strings come back exactly as stored", async () => {
      const values = [
        "plain",
        '{"json":true,"n":1}',
        "SGVsbG8=",
        "OK",
        "unicode: é 😀 中文",
        "",
        "x".repeat(10_000),
      ];
      for (const [i, value] of values.entries()) {
        await store.set(`contract:value:${i}`, value);
        assert.equal(await store.get(`contract:value:${i}`), value);
      }
      assert.equal(await store.get("contract:absent"), null);
    });

    await t.step("getMany answers in order with nulls for absent keys", async () => {
      await store.set("contract:many:a", "A");
      await store.set("contract:many:c", "C");
      assert.deepEqual(
        await store.getMany(["contract:many:a", "contract:many:b", "contract:many:c"]),
        ["A", null, "C"],
      );
      assert.deepEqual(await store.getMany([]), []);
    });

    await t.step("a value with a TTL disappears after it", async () => {
      await store.set("contract:ttl", "soon gone", { ttlMs: 150 });
      assert.equal(await store.get("contract:ttl"), "soon gone");
      await wait(400);
      assert.equal(await store.get("contract:ttl"), null);
      assert.deepEqual(await store.getMany(["contract:ttl"]), [null]);
    });

    await t.step("setIfAbsent sets once, and again after expiry", async () => {
      assert.equal(await store.setIfAbsent("contract:lock", "holder-1", 150), true);
      assert.equal(await store.setIfAbsent("contract:lock", "holder-2", 150), false);
      assert.equal(await store.get("contract:lock"), "holder-1");
      await wait(400);
      assert.equal(await store.setIfAbsent("contract:lock", "holder-3", 1000), true);
      assert.equal(await store.get("contract:lock"), "holder-3");
    });

    await t.step("deleteIfEquals deletes only for the holder", async () => {
      await store.set("contract:held", "mine");
      assert.equal(await store.deleteIfEquals("contract:held", "yours"), false);
      assert.equal(await store.get("contract:held"), "mine");
      assert.equal(await store.deleteIfEquals("contract:held", "mine"), true);
      assert.equal(await store.get("contract:held"), null);
      assert.equal(await store.deleteIfEquals("contract:held", "mine"), false);
    });

    await t.step("take gives a value to exactly one of many concurrent callers", async () => {
      await store.set("contract:once", "the-state", { ttlMs: 10_000 });
      const results = await Promise.all(
        Array.from({ length: 20 }, () => store.take("contract:once")),
      );
      assert.deepEqual(results.filter((r) => r !== null), ["the-state"]);
      assert.equal(await store.get("contract:once"), null);
      await store.set("contract:expired", "late", { ttlMs: 100 });
      await wait(300);
      assert.equal(await store.take("contract:expired"), null);
    });

    await t.step("delete removes a key and is harmless when repeated", async () => {
      await store.set("contract:gone", "x");
      await store.delete("contract:gone");
      await store.delete("contract:gone");
      assert.equal(await store.get("contract:gone"), null);
    });

    await t.step("ping makes a round trip", async () => {
      await store.ping();
    });
  } finally {
    await close();
  }
}
