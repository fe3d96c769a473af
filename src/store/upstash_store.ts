/**
 * The production store: Upstash Redis over HTTP with the official client on its default wire
 * settings (base64-encoded responses, auto-pipelining: both on by default in 1.39).
 */
import { errors, Redis } from "@upstash/redis";
import { DEFAULT_STORE_TIMEOUT_MS, type Store, StoreUnavailableError } from "./store.ts";
import { PACE_SCRIPT, paceScriptArgs, readPaceAnswer } from "./pace_script.ts";

/** Deletes a key only while it holds the caller's value: a lock released by its holder. */
const DELETE_IF_EQUALS = `if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0`;

/** Replaces a key's value (and TTL) only while it holds the caller's value: a lease renewal. */
const REPLACE_IF_EQUALS = `if redis.call("GET", KEYS[1]) == ARGV[1] then
  redis.call("SET", KEYS[1], ARGV[2], "PX", ARGV[3])
  return 1
end
return 0`;

export interface UpstashStoreOptions {
  url: string;
  token: string;
  /** Prepended to every key, e.g. `test:<random>:` to isolate a test run. */
  namespace?: string;
  /** Each HTTP request to Upstash is aborted after this long (a hung store must not hang us). */
  timeoutMs?: number;
}

export function createUpstashStore(options: UpstashStoreOptions): Store {
  const timeoutMs = options.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
  const redis = new Redis({
    url: options.url,
    token: options.token,
    // Values here are opaque strings (often JSON). By default the client JSON-parses results,
    // so '{"a":1}' would come back as an object and "123" as a number. Client-side only: the
    // requests and the base64 responses on the wire are unchanged.
    automaticDeserialization: false,
    // Every value the hub stores is text it wrote itself (JSON, base64url, digits), so plain
    // JSON strings carry it exactly; base64 answers cost a third more bytes and a decode loop
    // per character, which tripled the time of reading a page of the synced copy.
    responseEncoding: false,
    // The default (5 retries, exponential backoff) makes a down Upstash answer after ~4 s; one
    // quick retry still covers a dropped keep-alive connection, and /health stays responsive.
    retry: { retries: 1, backoff: () => 50 },
    // A function: each request (a pipeline of commands) gets its own timer. An aborted request
    // is not retried by the client.
    signal: () => AbortSignal.timeout(timeoutMs),
  });
  const ns = options.namespace ?? "";
  const k = (key: string): string => ns + key;
  // EVALSHA, falling back to EVAL (one more round trip) only when Redis lacks the script.
  const paceScript = redis.createScript<unknown>(PACE_SCRIPT);

  async function run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      // The client's messages quote the command, and so the values: never pass them on.
      throw new StoreUnavailableError(
        `Upstash store: ${operation} failed (${reason(error, timeoutMs)}).`,
        {
          cause: error instanceof Error ? error.name : undefined,
        },
      );
    }
  }

  return {
    kind: "upstash",
    get: (key) => run("get", async () => text(await redis.get(k(key)))),
    getMany: (keys) =>
      run("getMany", async () => {
        if (keys.length === 0) return [];
        const values: unknown[] = await redis.mget(...keys.map(k));
        return values.map(text);
      }),
    set: async (key, value, opts) => {
      const px = opts?.ttlMs === undefined ? undefined : ttl(opts.ttlMs);
      await run("set", async () => {
        if (px === undefined) await redis.set(k(key), value);
        else await redis.set(k(key), value, { px });
      });
    },
    setIfAbsent: async (key, value, ttlMs) => {
      const px = ttl(ttlMs);
      return await run("setIfAbsent", async () => {
        return (await redis.set(k(key), value, { nx: true, px })) === "OK";
      });
    },
    take: (key) => run("take", async () => text(await redis.getdel(k(key)))),
    delete: (key) =>
      run("delete", async () => {
        await redis.del(k(key));
      }),
    setMany: async (writes) => {
      if (writes.length === 0) return;
      const pxs = writes.map((w) => w.ttlMs === undefined ? undefined : ttl(w.ttlMs));
      await run("setMany", async () => {
        // One MULTI/EXEC request: all of the writes or none of them.
        const tx = redis.multi();
        writes.forEach((w, i) => {
          const px = pxs[i];
          if (px === undefined) tx.set(k(w.key), w.value);
          else tx.set(k(w.key), w.value, { px });
        });
        await tx.exec();
      });
    },
    deleteMany: (keys) =>
      run("deleteMany", async () => {
        if (keys.length > 0) await redis.del(...keys.map(k));
      }),
    deleteIfEquals: (key, value) =>
      run("deleteIfEquals", async () => {
        return (await redis.eval(DELETE_IF_EQUALS, [k(key)], [value])) === 1;
      }),
    replaceIfEquals: async (key, expected, value, ttlMs) => {
      const px = String(ttl(ttlMs));
      return await run("replaceIfEquals", async () => {
        return (await redis.eval(REPLACE_IF_EQUALS, [k(key)], [expected, value, px])) === 1;
      });
    },
    pace: (request) =>
      run("pace", async () => {
        const { keys, args } = paceScriptArgs(request, crypto.randomUUID());
        const raw = await paceScript.exec(keys.map(k), args);
        return readPaceAnswer(raw, request.scopes.length);
      }),
    ping: () =>
      run("ping", async () => {
        await redis.ping();
      }),
  };
}

/** What went wrong, in words that can never contain the token or a stored value. */
function reason(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === "TimeoutError") {
    return `Upstash did not answer within ${timeoutMs} ms`;
  }
  if (error instanceof errors.UpstashError) {
    return error.message.startsWith("Unauthorized")
      ? "Upstash rejected the token; check UPSTASH_REDIS_REST_TOKEN"
      : "Upstash answered with an error";
  }
  if (error instanceof StoreUnavailableError) return "unexpected answer";
  return "Upstash could not be reached";
}

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  throw new StoreUnavailableError("unexpected answer");
}

/** Redis wants a positive whole number of milliseconds; a bad TTL is a caller's bug. */
function ttl(ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`a TTL must be positive, got ${ms}`);
  return Math.ceil(ms);
}
