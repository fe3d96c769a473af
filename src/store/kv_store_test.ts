import { createKvStore } from "./kv_store.ts";
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
    const kv = await Deno.openKv(`${dir}/hub.kv`);
    return {
      store: createKvStore(kv),
      close: async () => {
        kv.close();
        await Deno.remove(dir, { recursive: true });
      },
    };
  });
});
