/** The one contract every Store adapter passes, run by each adapter's own test file. */
import assert from "node:assert/strict";
import { runPaceContract } from "./pace_contract.ts";
import type { Store } from "./store.ts";

export interface StoreUnderTest {
  store: Store;
  close(): Promise<void>;
}

/** TTLs short enough for a quick suite, waits long enough to be past them on a busy machine. */
const TTL_MS = 150;
const PAST_TTL_MS = 400;

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Values that a client decoding base64 or JSON, or trimming, would silently change. */
const TRICKY_VALUES = [
  "plain",
  "SGVsbG8=",
  "T0s=",
  "OK",
  "PONG",
  '{"json":true,"n":1,"nested":{"a":[1,2]}}',
  "123",
  "1e400",
  "null",
  "true",
  '"quoted"',
  "unicode: é ü 😀 中文 \u0000 end",
  "  spaces and\nnew lines\t",
  "",
  "x".repeat(20_000),
];

/** Runs every step of the contract against one fresh store from `make`. */
export async function runStoreContract(
  t: Deno.TestContext,
  make: () => Promise<StoreUnderTest>,
): Promise<void> {
  const { store, close } = await make();
  try {
    await t.step("strings come back exactly as stored", async () => {
      for (const [i, value] of TRICKY_VALUES.entries()) {
        await store.set(`contract:value:${i}`, value);
        assert.equal(await store.get(`contract:value:${i}`), value, `value ${i}`);
      }
      assert.deepEqual(
        await store.getMany(TRICKY_VALUES.map((_, i) => `contract:value:${i}`)),
        TRICKY_VALUES,
      );
      assert.equal(await store.get("contract:absent"), null);
    });

    await t.step("keys may hold any text", async () => {
      const key = "contract:ключ:with spaces:😀:a*b?[c]";
      await store.set(key, "v");
      assert.equal(await store.get(key), "v");
      assert.equal(await store.get("contract:ключ:with spaces:😀:a*b?[d]"), null);
    });

    await t.step("set overwrites, and a set without a TTL drops the earlier TTL", async () => {
      await store.set("contract:over", "first", { ttlMs: TTL_MS });
      await store.set("contract:over", "second");
      await wait(PAST_TTL_MS);
      assert.equal(await store.get("contract:over"), "second");
    });

    await t.step("getMany answers in order with nulls for absent keys", async () => {
      await store.set("contract:many:a", "A");
      await store.set("contract:many:c", "C");
      assert.deepEqual(
        await store.getMany([
          "contract:many:c",
          "contract:many:b",
          "contract:many:a",
          "contract:many:c",
        ]),
        ["C", null, "A", "C"],
      );
      assert.deepEqual(await store.getMany([]), []);
      const keys = Array.from({ length: 25 }, (_, i) => `contract:many:n${i}`);
      for (const [i, key] of keys.entries()) if (i % 3 === 0) await store.set(key, `v${i}`);
      assert.deepEqual(await store.getMany(keys), keys.map((_, i) => i % 3 === 0 ? `v${i}` : null));
    });

    await t.step("a value with a TTL disappears after it", async () => {
      await store.set("contract:ttl", "soon gone", { ttlMs: TTL_MS });
      assert.equal(await store.get("contract:ttl"), "soon gone");
      await wait(PAST_TTL_MS);
      assert.equal(await store.get("contract:ttl"), null);
      assert.deepEqual(await store.getMany(["contract:ttl"]), [null]);
    });

    await t.step("a TTL that is not positive is refused", async () => {
      for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
        await assert.rejects(store.set("contract:bad-ttl", "v", { ttlMs: bad }), RangeError);
        await assert.rejects(store.setIfAbsent("contract:bad-ttl", "v", bad), RangeError);
      }
      assert.equal(await store.get("contract:bad-ttl"), null);
    });

    await t.step("setIfAbsent sets once, and again after expiry", async () => {
      assert.equal(await store.setIfAbsent("contract:lock", "holder-1", TTL_MS), true);
      assert.equal(await store.setIfAbsent("contract:lock", "holder-2", TTL_MS), false);
      assert.equal(await store.get("contract:lock"), "holder-1");
      await wait(PAST_TTL_MS);
      assert.equal(await store.setIfAbsent("contract:lock", "holder-3", 10_000), true);
      assert.equal(await store.get("contract:lock"), "holder-3");
    });

    await t.step("setIfAbsent lets exactly one of many concurrent callers win", async () => {
      const wins = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.setIfAbsent("contract:race", `h${i}`, 10_000)),
      );
      const winner = wins.indexOf(true);
      assert.equal(wins.filter(Boolean).length, 1);
      assert.equal(await store.get("contract:race"), `h${winner}`);
    });

    await t.step("deleteIfEquals deletes only for the holder", async () => {
      await store.set("contract:held", "mine");
      assert.equal(await store.deleteIfEquals("contract:held", "yours"), false);
      assert.equal(await store.get("contract:held"), "mine");
      assert.equal(await store.deleteIfEquals("contract:held", "mine"), true);
      assert.equal(await store.get("contract:held"), null);
      assert.equal(await store.deleteIfEquals("contract:held", "mine"), false);
      await store.set("contract:held-expiring", "mine", { ttlMs: TTL_MS });
      await wait(PAST_TTL_MS);
      assert.equal(await store.deleteIfEquals("contract:held-expiring", "mine"), false);
    });

    await t.step("replaceIfEquals renews only for the holder, with the new TTL", async () => {
      await store.set("contract:lease", "holder-1", { ttlMs: TTL_MS });
      assert.equal(await store.replaceIfEquals("contract:lease", "holder-2", "x", 10_000), false);
      assert.equal(
        await store.replaceIfEquals("contract:lease", "holder-1", "holder-1", 10_000),
        true,
      );
      await wait(PAST_TTL_MS);
      assert.equal(await store.get("contract:lease"), "holder-1", "the renewal extended the TTL");
      assert.equal(
        await store.replaceIfEquals("contract:lease", "holder-1", "holder-3", TTL_MS),
        true,
      );
      assert.equal(await store.get("contract:lease"), "holder-3");
      await wait(PAST_TTL_MS);
      assert.equal(
        await store.replaceIfEquals("contract:lease", "holder-3", "late", 10_000),
        false,
      );
      assert.equal(await store.get("contract:lease"), null, "a lapsed lease is not renewed");
      const wins = await Promise.all(
        Array.from(
          { length: 10 },
          (_, i) => store.replaceIfEquals("contract:lease", "x", `h${i}`, 10_000),
        ),
      );
      assert.deepEqual(wins.filter(Boolean), []);
    });

    await t.step("take gives a value to exactly one of many concurrent callers", async () => {
      await store.set("contract:once", '{"state":"SGVsbG8="}', { ttlMs: 10_000 });
      const results = await Promise.all(
        Array.from({ length: 20 }, () => store.take("contract:once")),
      );
      assert.deepEqual(results.filter((r) => r !== null), ['{"state":"SGVsbG8="}']);
      assert.equal(await store.get("contract:once"), null);
      assert.equal(await store.take("contract:never-set"), null);
    });

    await t.step("take returns null once the value has expired", async () => {
      await store.set("contract:expired", "late", { ttlMs: TTL_MS });
      await wait(PAST_TTL_MS);
      assert.equal(await store.take("contract:expired"), null);
    });

    await t.step("delete removes a key and is harmless when repeated", async () => {
      await store.set("contract:gone", "x");
      await store.delete("contract:gone");
      await store.delete("contract:gone");
      assert.equal(await store.get("contract:gone"), null);
    });

    await t.step("setMany writes every value exactly, each with its own TTL", async () => {
      await store.setMany([]);
      await store.setMany([
        ...TRICKY_VALUES.map((value, i) => ({ key: `contract:many:${i}`, value })),
        { key: "contract:many:short", value: "brief", ttlMs: TTL_MS },
        // The same key twice: the later write stands.
        { key: "contract:many:0", value: "second" },
      ]);
      const keys = TRICKY_VALUES.map((_, i) => `contract:many:${i}`);
      assert.deepEqual(await store.getMany(keys), ["second", ...TRICKY_VALUES.slice(1)]);
      assert.equal(await store.get("contract:many:short"), "brief");
      await wait(PAST_TTL_MS);
      assert.equal(await store.get("contract:many:short"), null);
      assert.equal(await store.get("contract:many:1"), TRICKY_VALUES[1]);
    });

    await t.step("setMany takes a batch of WRITE_BATCH_BYTES in one call", async () => {
      const values = Array.from({ length: 20 }, (_, i) => `${i}:${"v".repeat(29_000)}`);
      await store.setMany(values.map((value, i) => ({ key: `contract:big:${i}`, value })));
      assert.deepEqual(await store.getMany(values.map((_, i) => `contract:big:${i}`)), values);
    });

    await t.step("deleteMany removes every key named and ignores absent ones", async () => {
      await store.deleteMany([]);
      await store.setMany([{ key: "contract:del:a", value: "a" }, {
        key: "contract:del:b",
        value: "b",
      }, { key: "contract:del:c", value: "c" }]);
      await store.deleteMany(["contract:del:a", "contract:del:absent", "contract:del:c"]);
      assert.deepEqual(
        await store.getMany(["contract:del:a", "contract:del:b", "contract:del:c"]),
        [null, "b", null],
      );
    });

    await runPaceContract(t, store);

    await t.step("ping makes a round trip", async () => {
      await store.ping();
    });
  } finally {
    await close();
  }
}
