import { Redis } from "@upstash/redis";
import { type Store, StoreUnavailableError } from "./store.ts";

/** Deletes a key only while it holds the caller's value: a lock released by its holder. */
const DELETE_IF_EQUALS = `if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0`;

/**
 * The production store: Upstash Redis over HTTP with the official client on its default wire
 * settings (base64 responses, auto-pipelining). `namespace` prefixes every key (test isolation).
 */
export function createUpstashStore(
  options: { url: string; token: string; namespace?: string },
): Store {
  const redis = new Redis({
    url: options.url,
    token: options.token,
    // Values here are opaque strings (often JSON); the client's JSON parsing of results would
    // hand back objects instead of the exact string stored. A client-side option only.
    automaticDeserialization: false,
    // Fail fast to the caller's own retries instead of retrying every command five times.
    retry: { retries: 1, backoff: () => 50 },
  });
  const ns = options.namespace ?? "";
  const k = (key: string) => ns + key;

  async function run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      // The client's messages can quote the command (and so stored values): never pass them on.
      throw new StoreUnavailableError(`The Upstash store failed during ${operation}.`, {
        cause: error instanceof Error ? error.name : undefined,
      });
    }
  }

  return {
    kind: "upstash",
    get: (key) => run("get", async () => asText(await redis.get<string>(k(key)))),
    getMany: (keys) =>
      run("getMany", async () => {
        if (keys.length === 0) return [];
        const values = await redis.mget<(string | null)[]>(...keys.map(k));
        return values.map(asText);
      }),
    set: (key, value, opts) =>
      run("set", async () => {
        if (opts?.ttlMs !== undefined) await redis.set(k(key), value, { px: opts.ttlMs });
        else await redis.set(k(key), value);
      }),
    setIfAbsent: (key, value, ttlMs) =>
      run(
        "setIfAbsent",
        async () => (await redis.set(k(key), value, { nx: true, px: ttlMs })) === "OK",
      ),
    take: (key) => run("take", async () => asText(await redis.getdel<string>(k(key)))),
    delete: (key) =>
      run("delete", async () => {
        await redis.del(k(key));
      }),
    deleteIfEquals: (key, value) =>
      run(
        "deleteIfEquals",
        async () => (await redis.eval(DELETE_IF_EQUALS, [k(key)], [value])) === 1,
      ),
    ping: () =>
      run("ping", async () => {
        await redis.ping();
      }),
  };
}

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}
