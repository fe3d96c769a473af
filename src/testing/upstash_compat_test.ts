import assert from "node:assert/strict";
import { Redis } from "@upstash/redis";
import { startTestRedis, startUpstashForTests, type TestUpstash } from "./redis_harness.ts";

const redis = await startTestRedis();
await redis?.close();

async function withLayer(fn: (upstash: TestUpstash, client: Redis) => Promise<void>) {
  const upstash = await startUpstashForTests();
  try {
    await fn(upstash, new Redis({ url: upstash.url, token: upstash.token }));
  } finally {
    await upstash.close();
  }
}

Deno.test({
  name: "the official client on default settings round-trips through the layer",
  ignore: redis === null,
  fn: () =>
    withLayer(async ({ namespace: ns }, client) => {
      await client.set(`${ns}b64`, "SGVsbG8=");
      assert.equal(await client.get(`${ns}b64`), "SGVsbG8=");
      await client.set(`${ns}json`, { a: 1, s: "é😀" });
      assert.deepEqual(await client.get(`${ns}json`), { a: 1, s: "é😀" });
      assert.equal(await client.incr(`${ns}n`), 1);
      assert.deepEqual(await client.mget(`${ns}b64`, `${ns}missing`), ["SGVsbG8=", null]);
      await client.hset(`${ns}h`, { f1: "v1", f2: "v2" });
      assert.deepEqual(await client.hgetall(`${ns}h`), { f1: "v1", f2: "v2" });
      assert.equal(await client.eval("return ARGV[1]", [], ["from-lua"]), "from-lua");
      assert.equal(await client.getdel(`${ns}b64`), "SGVsbG8=");
      assert.equal(await client.get(`${ns}b64`), null);
    }),
});

Deno.test({
  name: "pipelines and transactions answer per command, errors included",
  ignore: redis === null,
  fn: () =>
    withLayer(async ({ namespace: ns }, client) => {
      const pipe = client.pipeline();
      pipe.set(`${ns}p`, "1");
      pipe.incr(`${ns}p`);
      pipe.get(`${ns}p`);
      assert.deepEqual(await pipe.exec(), ["OK", 2, 2]);
      const tx = client.multi();
      tx.set(`${ns}t`, "a");
      tx.append(`${ns}t`, "b");
      tx.get(`${ns}t`);
      assert.deepEqual(await tx.exec(), ["OK", 2, "ab"]);
      await client.set(`${ns}str`, "x");
      await assert.rejects(client.incr(`${ns}str`), /not an integer/);
    }),
});

Deno.test({
  name: "every route checks the bearer token and bad input is a 400",
  ignore: redis === null,
  fn: () =>
    withLayer(async (upstash) => {
      for (const path of ["/", "/pipeline", "/multi-exec"]) {
        const response = await fetch(upstash.url + path, {
          method: "POST",
          headers: { Authorization: "Bearer wrong" },
          body: JSON.stringify(path === "/" ? ["PING"] : [["PING"]]),
        });
        assert.equal(response.status, 401, path);
        await response.body?.cancel();
      }
      const auth = { Authorization: `Bearer ${upstash.token}` };
      const badCommand = await fetch(upstash.url, {
        method: "POST",
        headers: auth,
        body: JSON.stringify(["NOSUCHCOMMAND"]),
      });
      assert.equal(badCommand.status, 400);
      assert.match((await badCommand.json()).error, /^ERR/);
      const badJson = await fetch(upstash.url, { method: "POST", headers: auth, body: "{" });
      assert.equal(badJson.status, 400);
      await badJson.body?.cancel();
    }),
});

Deno.test({
  name: "bulk strings are base64 only when the client asks",
  ignore: redis === null,
  fn: () =>
    withLayer(async (upstash) => {
      const key = `${upstash.namespace}enc`;
      const send = async (command: string[], base64: boolean) => {
        const headers: Record<string, string> = { Authorization: `Bearer ${upstash.token}` };
        if (base64) headers["Upstash-Encoding"] = "base64";
        const response = await fetch(upstash.url, {
          method: "POST",
          headers,
          body: JSON.stringify(command),
        });
        return (await response.json()).result;
      };
      assert.equal(await send(["SET", key, "héllo"], true), "OK");
      assert.equal(await send(["GET", key], false), "héllo");
      const encoded = await send(["GET", key], true);
      assert.equal(
        new TextDecoder().decode(Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0))),
        "héllo",
      );
      assert.deepEqual(await send(["MGET", key, `${key}-none`], true), [encoded, null]);
    }),
});
