import assert from "node:assert/strict";
import { startTestRedis, startUpstashForTests } from "../testing/redis_harness.ts";
import { StoreUnavailableError } from "./store.ts";
import { runStoreContract } from "./store_contract.ts";
import { createUpstashStore } from "./upstash_store.ts";

const redis = await startTestRedis();
await redis?.close();

Deno.test({
  name: "the Upstash store (official client, real Redis) passes the store contract",
  ignore: redis === null,
  fn: async (t) => {
    await runStoreContract(t, async () => {
      const upstash = await startUpstashForTests();
      return { store: createUpstashStore(upstash), close: upstash.close };
    });
  },
});

Deno.test({
  name: "the Upstash store keeps its keys inside its namespace",
  ignore: redis === null,
  fn: async () => {
    const upstash = await startUpstashForTests();
    try {
      await createUpstashStore(upstash).set("k", "v");
      const raw = await upstash.redis.sendCommand(["GET", `${upstash.namespace}k`]);
      assert.equal(new TextDecoder().decode(raw as Uint8Array), "v");
    } finally {
      await upstash.close();
    }
  },
});

Deno.test("an unreachable or refusing Upstash becomes StoreUnavailableError without the token", async () => {
  const listener = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const down = createUpstashStore({ url: `http://127.0.0.1:${port}`, token: "secret-token-1234" });
  const error = await down.ping().catch((e) => e);
  assert.ok(error instanceof StoreUnavailableError);
  assert.ok(!String(error.message).includes("secret-token-1234"));

  const refusing = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    () => Response.json({ error: "Unauthorized" }, { status: 401 }),
  );
  try {
    const store = createUpstashStore({
      url: `http://127.0.0.1:${refusing.addr.port}`,
      token: "secret-token-1234",
    });
    const refused = await store.set("k", "stored-secret-value").catch((e) => e);
    assert.ok(refused instanceof StoreUnavailableError);
    assert.ok(!String(refused.message).includes("stored-secret-value"));
  } finally {
    await refusing.shutdown();
  }
});
