import assert from "node:assert/strict";
import { Redis } from "@upstash/redis";
import { startTestRedis, startUpstashForTests, type TestUpstash } from "./redis_harness.ts";
import { RespError } from "./resp.ts";

const redis = await startTestRedis();
await redis?.close();

/** A test that needs the layer: a fresh one, with the official client on default settings. */
function layerTest(name: string, fn: (upstash: TestUpstash, client: Redis) => Promise<void>) {
  Deno.test({
    name,
    ignore: redis === null,
    fn: async () => {
      const upstash = await startUpstashForTests();
      try {
        await fn(upstash, new Redis({ url: upstash.url, token: upstash.token }));
      } finally {
        await upstash.close();
      }
    },
  });
}

/** A raw request: `auth` null sends no Authorization header. */
async function post(
  upstash: TestUpstash,
  path: string,
  body: unknown,
  options: { auth?: string | null; base64?: boolean } = {},
): Promise<{ status: number; json: unknown }> {
  const headers = new Headers();
  const auth = options.auth === undefined ? `Bearer ${upstash.token}` : options.auth;
  if (auth !== null) headers.set("Authorization", auth);
  if (options.base64) headers.set("Upstash-Encoding", "base64");
  const response = await fetch(upstash.url + path, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

const b64 = (text: string): string => btoa(String.fromCharCode(...new TextEncoder().encode(text)));
const errorOf = (json: unknown): string => (json as { error: string }).error;

layerTest(
  "the official client round-trips strings that look like base64, JSON or unicode",
  async ({ namespace: ns }, client) => {
    await client.set(`${ns}b64`, "SGVsbG8=");
    assert.equal(await client.get(`${ns}b64`), "SGVsbG8=");
    await client.set(`${ns}ok`, "OK");
    assert.equal(await client.get(`${ns}ok`), "OK");
    await client.set(`${ns}uni`, "é ü 😀 中文");
    assert.equal(await client.get(`${ns}uni`), "é ü 😀 中文");
    await client.set(`${ns}json`, { a: 1, s: "é😀" });
    assert.deepEqual(await client.get(`${ns}json`), { a: 1, s: "é😀" });
    assert.deepEqual(await client.mget(`${ns}b64`, `${ns}missing`, `${ns}uni`), [
      "SGVsbG8=",
      null,
      "é ü 😀 中文",
    ]);
    assert.equal(await client.getdel(`${ns}b64`), "SGVsbG8=");
    assert.equal(await client.get(`${ns}b64`), null);
  },
);

layerTest(
  "the official client gets simple replies, integers, hashes and Lua results right",
  async ({ namespace: ns }, client) => {
    assert.equal(await client.ping(), "PONG");
    assert.equal(await client.incr(`${ns}n`), 1);
    assert.equal(await client.incrby(`${ns}n`, 41), 42);
    assert.equal(await client.type(`${ns}n`), "string");
    await client.hset(`${ns}h`, { f1: "v1", f2: "SGVsbG8=" });
    assert.deepEqual(await client.hgetall(`${ns}h`), { f1: "v1", f2: "SGVsbG8=" });
    assert.equal(await client.eval("return ARGV[1]", [], ["from-lua"]), "from-lua");
    assert.deepEqual(
      await client.eval("return {'a', 7, {'b', redis.status_reply('OK')}}", [], []),
      ["a", 7, ["b", "OK"]],
    );
  },
);

layerTest(
  "pipeline() and multi() answer per command, errors thrown or kept",
  async ({ namespace: ns }, client) => {
    const pipe = client.pipeline().set(`${ns}p`, "1").incr(`${ns}p`).get(`${ns}p`);
    assert.deepEqual(await pipe.exec(), ["OK", 2, 2]);
    const tx = client.multi().set(`${ns}t`, "a").append(`${ns}t`, "b").get(`${ns}t`);
    assert.deepEqual(await tx.exec(), ["OK", 2, "ab"]);
    const failing = client.multi().set(`${ns}s`, "x").incr(`${ns}s`).append(`${ns}s`, "y");
    await assert.rejects(failing.exec(), /not an integer/);
    const kept = await client.multi().set(`${ns}s`, "x").incr(`${ns}s`).get(`${ns}s`).exec({
      keepErrors: true,
    });
    assert.deepEqual(kept.map((r) => r.result), ["OK", undefined, "x"]);
    assert.match(String(kept[1].error), /not an integer/);
  },
);

layerTest(
  "multi() transactions run atomically under concurrency",
  async ({ namespace: ns }, client) => {
    const runs = await Promise.all(
      Array.from({ length: 20 }, () => client.multi().incr(`${ns}c`).incr(`${ns}c`).exec()),
    );
    for (const [first, second] of runs) assert.equal(second, (first as number) + 1);
    assert.equal(await client.get(`${ns}c`), 40);
  },
);

layerTest(
  "a command error makes the client throw, over /pipeline and over /",
  async ({ namespace: ns, url, token }, client) => {
    await client.set(`${ns}str`, "x");
    await assert.rejects(client.incr(`${ns}str`), /not an integer/);
    const direct = new Redis({ url, token, enableAutoPipelining: false });
    await assert.rejects(direct.incr(`${ns}str`), /not an integer/);
    assert.equal(await direct.get(`${ns}str`), "x");
  },
);

layerTest("every route requires the bearer token", async (upstash) => {
  for (const path of ["/", "/pipeline", "/multi-exec"]) {
    const body = path === "/" ? ["PING"] : [["PING"]];
    for (const auth of [null, "Bearer wrong", `Basic ${upstash.token}`, upstash.token]) {
      const { status, json } = await post(upstash, path, body, { auth });
      assert.equal(status, 401, `${path} with ${auth}`);
      assert.deepEqual(json, { error: "Unauthorized" });
    }
    assert.equal((await post(upstash, path, body)).status, 200, path);
  }
});

layerTest("bad commands and bad bodies are a 400 with an ERR message", async (upstash) => {
  const key = `${upstash.namespace}k`;
  const bad: [string, unknown][] = [
    ["/", ["NOSUCHCOMMAND"]],
    ["/", ["GET"]],
    ["/", []],
    ["/", { command: "GET" }],
    ["/", ["MULTI"]],
    ["/pipeline", [["MULTI"], ["SET", key, "1"]]],
    ["/pipeline", []],
    ["/pipeline", ["GET", key]],
    ["/multi-exec", [["SET", key, "1"], ["NOSUCHCOMMAND"]]],
  ];
  for (const path of ["/", "/pipeline", "/multi-exec"]) bad.push([path, "{not json"]);
  for (const [path, body] of bad) {
    const { status, json } = await post(upstash, path, body);
    assert.equal(status, 400, `${path} ${JSON.stringify(body)}`);
    assert.match(errorOf(json), /^ERR /);
  }
  assert.deepEqual((await post(upstash, "/", ["GET", key])).json, { result: null }); // aborted
});

layerTest("/pipeline and /multi-exec answer a result or an error per command", async (upstash) => {
  const key = `${upstash.namespace}k`;
  const commands = [["set", key, "1"], ["incr", key], ["hset", key, "f", "v"], ["get", key]];
  for (const path of ["/pipeline", "/multi-exec"]) {
    const { status, json } = await post(upstash, path, commands);
    assert.equal(status, 200);
    const replies = json as { result?: unknown; error?: string }[];
    assert.deepEqual([replies[0], replies[1], replies[3]], [{ result: "OK" }, { result: 2 }, {
      result: "2",
    }]);
    assert.match(String(replies[2].error), /^WRONGTYPE/);
  }
});

layerTest(
  "strings are base64 only when the request asks, except a top-level OK",
  async (upstash) => {
    const key = `${upstash.namespace}enc`;
    assert.deepEqual((await post(upstash, "/", ["SET", key, "héllo"], { base64: true })).json, {
      result: "OK",
    });
    assert.deepEqual((await post(upstash, "/", ["GET", key])).json, { result: "héllo" });
    assert.deepEqual((await post(upstash, "/", ["GET", key], { base64: true })).json, {
      result: b64("héllo"),
    });
    assert.deepEqual((await post(upstash, "/", ["PING"], { base64: true })).json, {
      result: b64("PONG"),
    });
    assert.deepEqual((await post(upstash, "/", ["STRLEN", key], { base64: true })).json, {
      result: 6,
    });
    assert.deepEqual((await post(upstash, "/", ["GET", `${key}:none`], { base64: true })).json, {
      result: null,
    });
    const nested = ["EVAL", "return {ARGV[1], 3, {redis.status_reply('OK')}}", "0", "x"];
    assert.deepEqual((await post(upstash, "/", nested, { base64: true })).json, {
      result: [b64("x"), 3, [b64("OK")]],
    });
    const { json } = await post(upstash, "/pipeline", [["MGET", key, `${key}:none`], [
      "SET",
      key,
      "v",
    ]], { base64: true });
    assert.deepEqual(json, [{ result: [b64("héllo"), null] }, { result: "OK" }]);
  },
);

layerTest("binary values survive the RESP client and the layer byte for byte", async (upstash) => {
  const key = `${upstash.namespace}bin`;
  const bytes = new Uint8Array([0, 255, 128, 13, 10, 36, 42, 0xc3]);
  assert.equal(await upstash.redis.sendCommand(["SET", key, bytes]), "OK");
  assert.deepEqual(await upstash.redis.sendCommand(["GET", key]), bytes);
  const { json } = await post(upstash, "/", ["GET", key], { base64: true });
  const back = Uint8Array.from(atob((json as { result: string }).result), (c) => c.charCodeAt(0));
  assert.deepEqual(back, bytes);
});

layerTest(
  "the RESP client keeps replies in order under concurrency and returns errors as values",
  async ({ redis: client, namespace: ns }) => {
    const echoes = await Promise.all(
      Array.from({ length: 50 }, (_, i) => client.sendCommand(["ECHO", `m${i}`])),
    );
    assert.deepEqual(
      echoes.map((e) => new TextDecoder().decode(e as Uint8Array)),
      echoes.map((_, i) => `m${i}`),
    );
    const [ok, failed, number] = await client.pipeline([["PING"], ["NOSUCHCOMMAND"], [
      "STRLEN",
      `${ns}none`,
    ]]);
    assert.equal(ok, "PONG");
    assert.ok(failed instanceof RespError && failed.message.startsWith("ERR"));
    assert.equal(number, 0);
  },
);
