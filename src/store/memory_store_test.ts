import { createMemoryStore } from "./memory_store.ts";
import { runStoreContract } from "./store_contract.ts";

Deno.test("the memory store passes the store contract", async (t) => {
  await runStoreContract(
    t,
    () => Promise.resolve({ store: createMemoryStore(), close: () => Promise.resolve() }),
  );
});
