/**
 * Gives tests a real Redis: the one at 127.0.0.1:6379 when it answers, else a redis-server of
 * its own on a free port. Without redis-server the Redis tests are skipped with a loud warning,
 * except under CI, where that is a failure.
 */
import { RespClient } from "./resp.ts";
import { startUpstashCompat } from "./upstash_compat.ts";

export interface TestRedis {
  url: string;
  close(): Promise<void>;
}

export interface TestUpstash {
  url: string;
  token: string;
  /** Prefix of every key this test run writes; deleted on close. */
  namespace: string;
  /** A direct Redis connection, to read raw values. */
  redis: RespClient;
  close(): Promise<void>;
}

const DEFAULT_URL = "redis://127.0.0.1:6379";

export function inCi(): boolean {
  const ci = Deno.env.get("CI");
  return ci !== undefined && ci !== "" && ci !== "false";
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

function freePort(): number {
  const listener = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A Redis for this test file, or null (after a loud warning) when none can be had outside CI. */
export async function startTestRedis(): Promise<TestRedis | null> {
  if (await answers(DEFAULT_URL)) return { url: DEFAULT_URL, close: () => Promise.resolve() };
  const port = freePort();
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("redis-server", {
      args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      stdout: "null",
      stderr: "null",
    }).spawn();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    const message = "redis-server is not installed and no Redis answers at 127.0.0.1:6379: " +
      "the Redis-backed tests cannot run (install it: apt-get install redis-server).";
    if (inCi()) throw new Error(message);
    console.error(`\n!!! SKIPPING REDIS TESTS: ${message}\n`);
    return null;
  }
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100 && !(await answers(url)); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    close: async () => {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

/**
 * Redis plus the Upstash-compatible layer on a free port with a random token, and a key
 * namespace unique to this run so that parallel tests never see each other's keys.
 */
export async function startUpstashForTests(): Promise<TestUpstash> {
  const redis = await startTestRedis();
  if (redis === null) throw new Error("no Redis available (see the warning above)");
  const token = crypto.randomUUID();
  const layer = startUpstashCompat({ redisUrl: redis.url, token });
  const direct = await RespClient.connect(redis.url);
  const namespace = `test:${crypto.randomUUID()}:`;
  return {
    url: layer.url,
    token,
    namespace,
    redis: direct,
    close: async () => {
      await deleteNamespace(direct, namespace);
      await direct.close();
      await layer.close();
      await redis.close();
    },
  };
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
    if (!Array.isArray(reply)) return;
    const [next, keys] = reply;
    cursor = new TextDecoder().decode(next as Uint8Array);
    const names = (keys as Uint8Array[]).map((k) => new TextDecoder().decode(k));
    if (names.length > 0) await client.sendCommand(["DEL", ...names]);
  } while (cursor !== "0");
}
