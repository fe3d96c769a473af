/**
 * Gives tests a real Redis: the one at 127.0.0.1:6379 when it answers, else a redis-server of
 * its own on a free port. Without redis-server the Redis tests are skipped with a loud warning,
 * except under CI, where that is a failure.
 *
 *     const redis = await startTestRedis();
 *     await redis?.close();
 *     Deno.test({ name: "...", ignore: redis === null, fn: async () => {
 *       const upstash = await startUpstashForTests();
 *       try { ... createUpstashStore(upstash) ... } finally { await upstash.close(); }
 *     }});
 */
import { replyText, RespClient } from "./resp.ts";
import { startUpstashCompat } from "./upstash_compat.ts";

export interface TestRedis {
  url: string;
  close(): Promise<void>;
}

export interface TestUpstash {
  url: string;
  token: string;
  /** Prefix of every key this test run writes (`test:<random>:`); its keys are deleted on close. */
  namespace: string;
  /** A direct Redis connection, to read or plant raw values. */
  redis: RespClient;
  close(): Promise<void>;
}

const DEFAULT_URL = "redis://127.0.0.1:6379";
const START_TIMEOUT_MS = 5_000;

/**
 * Every key of a test's namespace with what it holds, as text: a string's value, a sorted
 * set's members and scores (the pacer's reserved starts).
 */
export async function rawNamespace(upstash: TestUpstash): Promise<string[]> {
  const decode = (value: unknown) =>
    value instanceof Uint8Array ? new TextDecoder().decode(value) : String(value);
  const keys = await upstash.redis.sendCommand(["KEYS", `${upstash.namespace}*`]) as Uint8Array[];
  const lines: string[] = [];
  for (const key of keys) {
    const type = decode(await upstash.redis.sendCommand(["TYPE", key]));
    const value = type === "zset"
      ? await upstash.redis.sendCommand(["ZRANGE", key, "0", "-1", "WITHSCORES"])
      : await upstash.redis.sendCommand(["GET", key]);
    lines.push(decode(key), Array.isArray(value) ? value.map(decode).join(" ") : decode(value));
  }
  return lines;
}

/** True when env CI is set to anything but "" or "false". */
export function inCi(): boolean {
  const ci = Deno.env.get("CI");
  return ci !== undefined && ci !== "" && ci !== "false";
}

/** A Redis for this test file, or null (after a loud warning) when none can be had outside CI. */
export async function startTestRedis(): Promise<TestRedis | null> {
  if (await answers(DEFAULT_URL)) return { url: DEFAULT_URL, close: () => Promise.resolve() };
  // A port picked free can be taken before redis-server binds it: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const started = await spawnRedis();
    if (started === "not-installed") return missing();
    if (started !== null) return started;
  }
  throw new Error("redis-server was found but did not start on a free port (tried 3 times)");
}

/**
 * Redis plus the Upstash-compatible layer on a free port with a random token, and a key
 * namespace unique to this run, so that parallel tests never see each other's keys.
 */
export async function startUpstashForTests(): Promise<TestUpstash> {
  const redis = await startTestRedis();
  if (redis === null) {
    throw new Error("no Redis for this test: register it with `ignore: redis === null`");
  }
  const token = `test-${crypto.randomUUID()}`;
  const namespace = `test:${crypto.randomUUID()}:`;
  const layer = await startUpstashCompat({ redisUrl: redis.url, token });
  const direct = await RespClient.connect(redis.url);
  return {
    url: layer.url,
    token,
    namespace,
    redis: direct,
    close: async () => {
      try {
        await deleteNamespace(direct, namespace);
      } finally {
        await direct.close();
        await layer.close();
        await redis.close();
      }
    },
  };
}

async function answers(url: string): Promise<boolean> {
  try {
    const client = await RespClient.connect(url);
    try {
      return (await client.sendCommand(["PING"])) === "PONG";
    } finally {
      await client.close();
    }
  } catch {
    return false;
  }
}

/** A started redis-server, null when it did not come up, or "not-installed". */
async function spawnRedis(): Promise<TestRedis | null | "not-installed"> {
  const port = freePort();
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("redis-server", {
      args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      stdout: "null",
      stderr: "null",
    }).spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "not-installed";
    throw error;
  }
  let exited = false;
  const status = child.status.finally(() => {
    exited = true;
  });
  const stop = async () => {
    if (!exited) child.kill("SIGTERM");
    await status;
  };
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!exited && Date.now() < deadline) {
    if (await answers(url)) return { url, close: stop };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop();
  return null;
}

function missing(): null {
  const message = "redis-server is not installed and no Redis answers at 127.0.0.1:6379, " +
    "so the Redis-backed tests cannot run. Install it: apt-get install redis-server";
  if (inCi()) throw new Error(`${message} (CI is set: this is a failure, not a skip)`);
  console.error(`\n${"!".repeat(78)}\n!!! SKIPPING REDIS TESTS: ${message}\n${"!".repeat(78)}\n`);
  return null;
}

function freePort(): number {
  const listener = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const port = listener.addr.port;
  listener.close();
  return port;
}

async function deleteNamespace(client: RespClient, namespace: string): Promise<void> {
  let cursor = "0";
  do {
    const reply = await client.sendCommand([
      "SCAN",
      cursor,
      "MATCH",
      `${namespace}*`,
      "COUNT",
      "500",
    ]);
    if (!Array.isArray(reply) || !Array.isArray(reply[1])) return;
    cursor = replyText(reply[0]) ?? "0";
    const keys = reply[1].map(replyText).filter((k): k is string => k !== null);
    if (keys.length > 0) await client.sendCommand(["DEL", ...keys]);
  } while (cursor !== "0");
}
