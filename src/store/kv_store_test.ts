import assert from "node:assert/strict";
import { join } from "node:path";
import { createKvStore, openKvStore } from "./kv_store.ts";
import { StoreUnavailableError } from "./store.ts";
import { runStoreContract } from "./store_contract.ts";

Deno.test("the embedded store (Deno KV in memory) passes the store contract", async (t) => {
  await runStoreContract(t, async () => {
    const kv = await Deno.openKv(":memory:");
    return { store: createKvStore(kv), close: () => Promise.resolve(kv.close()) };
  });
});

Deno.test("the embedded store (Deno KV in a file) passes the store contract", async (t) => {
  const dir = await Deno.makeTempDir();
  await runStoreContract(t, async () => {
    const kv = await Deno.openKv(join(dir, "hub.kv"));
    return {
      store: createKvStore(kv),
      close: async () => {
        kv.close();
        await Deno.remove(dir, { recursive: true });
      },
    };
  });
});

Deno.test("openKvStore creates the folder and keeps values across a reopen", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "nested", "deeper", "hub.kv");
  try {
    const first = await openKvStore(path);
    await first.set("kept", "across restarts");
    first.close();
    const second = await openKvStore(path);
    try {
      assert.equal(await second.get("kept"), "across restarts");
      assert.equal(second.kind, "embedded");
    } finally {
      second.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("expiry follows the injected clock, not KV's lazy clean-up", async () => {
  const kv = await Deno.openKv(":memory:");
  let now = 1_000_000;
  const store = createKvStore(kv, { clock: () => now });
  try {
    await store.set("k", "v", { ttlMs: 60_000 });
    assert.equal(await store.setIfAbsent("lock", "a", 60_000), true);
    now += 59_999;
    assert.equal(await store.get("k"), "v");
    assert.equal(await store.setIfAbsent("lock", "b", 60_000), false);
    now += 1;
    assert.equal(await store.get("k"), null);
    assert.equal(await store.setIfAbsent("lock", "b", 60_000), true);
    assert.equal(await store.take("lock"), "b");
  } finally {
    kv.close();
  }
});

Deno.test("a closed KV makes the embedded store throw StoreUnavailableError", async () => {
  const kv = await Deno.openKv(":memory:");
  const store = createKvStore(kv);
  kv.close();
  await assert.rejects(store.ping(), StoreUnavailableError);
  await assert.rejects(store.set("k", "secret-value"), (error: unknown) => {
    assert.ok(error instanceof StoreUnavailableError);
    assert.ok(!error.message.includes("secret-value"));
    return true;
  });
});

Deno.test("a KV command that never settles is StoreUnavailableError after the timeout", async () => {
  // Deno KV cannot be made to hang on demand; a stand-in whose reads never settle can.
  const hung = { get: () => new Promise(() => {}) } as unknown as Deno.Kv;
  const store = createKvStore(hung, { timeoutMs: 200 });
  const started = performance.now();
  await assert.rejects(
    store.get("k"),
    (error: unknown) =>
      error instanceof StoreUnavailableError && /no answer within 200 ms/.test(error.message),
  );
  const ms = performance.now() - started;
  assert.ok(ms >= 190 && ms < 1_000, `took ${ms} ms`);
});
