import assert from "node:assert/strict";
import { replyText } from "../testing/resp.ts";
import { startTestRedis, startUpstashForTests } from "../testing/redis_harness.ts";
import { createUpstashCompatHandler } from "../testing/upstash_compat.ts";
import { StoreUnavailableError } from "./store.ts";
import { runStoreContract } from "./store_contract.ts";
import { createUpstashStore } from "./upstash_store.ts";
import { serveLocally } from "../testing/local_server.ts";

const redis = await startTestRedis();
await redis?.close();

const TOKEN = "secret-token-1234";
const VALUE = "stored-secret-value";

/** Serves `handler` on a free port for the length of `fn`. */
async function serving(
  handler: (request: Request) => Response | Promise<Response>,
  fn: (url: string) => Promise<void>,
): Promise<void> {
  const server = serveLocally(handler);
  try {
    await fn(server.url);
  } finally {
    await server.close();
  }
}

/** The failure is a StoreUnavailableError that names the store and leaks nothing. */
async function assertUnavailable(promise: Promise<unknown>, ...secrets: string[]): Promise<void> {
  const error = await promise.then(() => null, (e: unknown) => e);
  assert.ok(error instanceof StoreUnavailableError, `got ${error}`);
  assert.match(error.message, /^Upstash store: /);
  const shown = `${error.message} ${String(error.cause)} ${error.stack}`;
  for (const secret of secrets) assert.ok(!shown.includes(secret), `leaked ${secret}: ${shown}`);
}

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
  name: "the Upstash store keeps its keys inside its namespace, as plain strings",
  ignore: redis === null,
  fn: async () => {
    const upstash = await startUpstashForTests();
    try {
      await createUpstashStore(upstash).set("k", '{"a":1}');
      assert.equal(
        replyText(await upstash.redis.sendCommand(["GET", `${upstash.namespace}k`])),
        '{"a":1}',
      );
      assert.equal(await upstash.redis.sendCommand(["EXISTS", "k"]), 0);
    } finally {
      await upstash.close();
    }
  },
});

Deno.test({
  name: "a wrong token against the real layer is StoreUnavailableError that blames the token",
  ignore: redis === null,
  fn: async () => {
    const upstash = await startUpstashForTests();
    try {
      const store = createUpstashStore({ url: upstash.url, token: TOKEN });
      await assertUnavailable(store.set("k", VALUE), TOKEN, VALUE);
      const error = await store.ping().catch((e: unknown) => e);
      assert.match(String(error), /rejected the token/);
    } finally {
      await upstash.close();
    }
  },
});

Deno.test("an unreachable Upstash becomes StoreUnavailableError without the token", async () => {
  const listener = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const url = `http://127.0.0.1:${listener.addr.port}`;
  listener.close();
  const store = createUpstashStore({ url, token: TOKEN });
  await assertUnavailable(store.ping(), TOKEN);
  await assertUnavailable(store.set("k", VALUE), TOKEN, VALUE);
});

Deno.test("a Redis that is down behind the layer becomes StoreUnavailableError", async () => {
  const listener = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const redisUrl = `redis://127.0.0.1:${listener.addr.port}`;
  listener.close();
  const compat = createUpstashCompatHandler({ redisUrl, token: TOKEN });
  try {
    await serving(compat.handler, async (url) => {
      const store = createUpstashStore({ url, token: TOKEN });
      await assertUnavailable(store.get("k"), TOKEN);
      await assertUnavailable(store.set("k", VALUE), TOKEN, VALUE);
    });
  } finally {
    await compat.close();
  }
});

Deno.test("an error page that echoes the request leaks no value into the error", async () => {
  const echo = async (request: Request) =>
    new Response(`<html>oops ${await request.text()} ${request.headers.get("Authorization")}`, {
      status: 502,
    });
  await serving(echo, async (url) => {
    const store = createUpstashStore({ url, token: TOKEN });
    await assertUnavailable(store.set("k", VALUE), TOKEN, VALUE);
    await assertUnavailable(store.deleteIfEquals("k", VALUE), TOKEN, VALUE);
  });
});

Deno.test("an Upstash that accepts and never answers is StoreUnavailableError within its timeout", async () => {
  const listener = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  try {
    const store = createUpstashStore({
      url: `http://127.0.0.1:${listener.addr.port}`,
      token: TOKEN,
      timeoutMs: 300,
    });
    const started = performance.now();
    await assertUnavailable(store.ping(), TOKEN);
    await assert.rejects(store.get("k"), /did not answer within 300 ms/);
    const ms = performance.now() - started;
    // Two commands, each given up after 300 ms (not retried): well under the default 2 s each.
    assert.ok(ms >= 600 && ms < 1_500, `took ${ms} ms`);
  } finally {
    listener.close();
    for (const conn of held) conn.close();
    await accepting.catch(() => {});
  }
});
