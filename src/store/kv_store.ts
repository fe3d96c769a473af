/**
 * The embedded store for `deno task dev`: Deno KV in a file, so connections survive restarts.
 * Deno only (the Deno entry opens it). KV deletes expired keys lazily (expireIn is a hint for
 * clean-up, not a guarantee), so every value carries its own expiry and expired entries read as
 * absent. Note KV's limit of 64 KiB per value.
 */
import { dirname } from "node:path";
import { DEFAULT_STORE_TIMEOUT_MS, type Store, StoreUnavailableError } from "./store.ts";
import { PaceBook } from "./pace_book.ts";

interface Entry {
  value: string;
  /** Epoch ms, or null for no expiry. */
  expiresAt: number | null;
}

/** Attempts of an atomic operation that keeps losing races to other writers. */
const MAX_ATTEMPTS = 50;
/** Deno KV reads at most 10 keys per getMany. */
const GET_MANY_LIMIT = 10;
/** Mutations per atomic commit, and their bytes, well inside Deno KV's limits. */
const ATOMIC_MUTATIONS = 10;
const ATOMIC_BYTES = 400_000;
const CONFLICT: unique symbol = Symbol("conflict");

export interface KvStoreOptions {
  /** Epoch ms; injectable so tests can move time. */
  clock?: () => number;
  /** A command still running after this long fails as unavailable (it may still complete). */
  timeoutMs?: number;
}

export function createKvStore(kv: Deno.Kv, options: KvStoreOptions = {}): Store {
  const clock = options.clock ?? Date.now;
  const timeoutMs = options.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
  const kvKey = (key: string): Deno.KvKey => ["hub", key];
  const paces = new PaceBook(clock);
  const live = (entry: Deno.KvEntryMaybe<Entry>): string | null => {
    const found = entry.value;
    if (found === null || (found.expiresAt !== null && found.expiresAt <= clock())) return null;
    return found.value;
  };
  const write = (value: string, ttlMs: number | undefined) => ({
    entry: { value, expiresAt: ttlMs === undefined ? null : clock() + ttlMs } satisfies Entry,
    options: ttlMs === undefined ? undefined : { expireIn: ttlMs },
  });

  async function run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(fn(), timeoutMs);
    } catch (error) {
      const why = error instanceof StoreTimeout ? ` (no answer within ${timeoutMs} ms)` : "";
      throw new StoreUnavailableError(`Embedded store: ${operation} failed${why}.`, {
        cause: error instanceof Error ? error.name : undefined,
      });
    }
  }

  /** Runs a read-then-commit until it commits without a concurrent writer in between. */
  async function atomically<T>(fn: () => Promise<T | typeof CONFLICT>): Promise<T> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const result = await fn();
      if (result !== CONFLICT) return result;
    }
    throw new Error("too much contention");
  }

  return {
    kind: "embedded",
    get: (key) => run("get", async () => live(await kv.get<Entry>(kvKey(key)))),
    getMany: (keys) =>
      run("getMany", async () => {
        const values: (string | null)[] = [];
        for (let i = 0; i < keys.length; i += GET_MANY_LIMIT) {
          const chunk = keys.slice(i, i + GET_MANY_LIMIT).map(kvKey);
          values.push(...(await kv.getMany<Entry[]>(chunk)).map(live));
        }
        return values;
      }),
    set: async (key, value, opts) => {
      const w = write(value, opts?.ttlMs === undefined ? undefined : ttl(opts.ttlMs));
      await run("set", () => kv.set(kvKey(key), w.entry, w.options));
    },
    setIfAbsent: async (key, value, ttlMs) => {
      const ms = ttl(ttlMs);
      return await run("setIfAbsent", () =>
        atomically(async () => {
          // Checking the versionstamp read (null when absent) also covers an expired leftover.
          const current = await kv.get<Entry>(kvKey(key));
          if (live(current) !== null) return false;
          const w = write(value, ms);
          const result = await kv.atomic().check(current).set(kvKey(key), w.entry, w.options)
            .commit();
          return result.ok ? true : CONFLICT;
        }));
    },
    take: (key) =>
      run("take", () =>
        atomically(async () => {
          const current = await kv.get<Entry>(kvKey(key));
          if (current.versionstamp === null) return null;
          const result = await kv.atomic().check(current).delete(kvKey(key)).commit();
          return result.ok ? live(current) : CONFLICT;
        })),
    delete: (key) => run("delete", () => kv.delete(kvKey(key))),
    setMany: async (writes) => {
      const prepared = writes.map((w) => ({
        key: kvKey(w.key),
        ...write(w.value, w.ttlMs === undefined ? undefined : ttl(w.ttlMs)),
        bytes: w.value.length * 2,
      }));
      await run("setMany", async () => {
        // In order, in commits KV accepts: the last write lands after every earlier one.
        for (let i = 0; i < prepared.length;) {
          const op = kv.atomic();
          let bytes = 0;
          let count = 0;
          for (; i < prepared.length && count < ATOMIC_MUTATIONS; i++, count++) {
            if (count > 0 && bytes + prepared[i].bytes > ATOMIC_BYTES) break;
            op.set(prepared[i].key, prepared[i].entry, prepared[i].options);
            bytes += prepared[i].bytes;
          }
          const result = await op.commit();
          if (!result.ok) throw new Error("setMany was refused");
        }
      });
    },
    deleteMany: (keys) =>
      run("deleteMany", async () => {
        for (let i = 0; i < keys.length; i += ATOMIC_MUTATIONS) {
          const op = kv.atomic();
          for (const key of keys.slice(i, i + ATOMIC_MUTATIONS)) op.delete(kvKey(key));
          await op.commit();
        }
      }),
    deleteIfEquals: (key, value) =>
      run("deleteIfEquals", () =>
        atomically(async () => {
          const current = await kv.get<Entry>(kvKey(key));
          if (live(current) !== value) return false;
          const result = await kv.atomic().check(current).delete(kvKey(key)).commit();
          return result.ok ? true : CONFLICT;
        })),
    replaceIfEquals: async (key, expected, value, ttlMs) => {
      const ms = ttl(ttlMs);
      return await run("replaceIfEquals", () =>
        atomically(async () => {
          const current = await kv.get<Entry>(kvKey(key));
          if (live(current) !== expected) return false;
          const w = write(value, ms);
          const result = await kv.atomic().check(current).set(kvKey(key), w.entry, w.options)
            .commit();
          return result.ok ? true : CONFLICT;
        }));
    },
    // One process serves this store, so an in-process book is shared by all its callers.
    pace: (request) => Promise.resolve().then(() => paces.pace(request)),
    ping: () =>
      run("ping", async () => {
        await kv.get(["ping"]);
      }),
  };
}

/** Opens (and creates the folder of) a KV file and wraps it as the embedded store. */
export async function openKvStore(
  path: string,
  options: KvStoreOptions = {},
): Promise<Store & { close(): void }> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const kv = await Deno.openKv(path);
  return { ...createKvStore(kv, options), close: () => kv.close() };
}

class StoreTimeout extends Error {}

/** Deno KV takes no abort signal: the command is left to finish, its caller is not kept. */
function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreTimeout()), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/** KV wants a whole number of milliseconds; a TTL that is not positive is a caller's bug. */
function ttl(ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`a TTL must be positive, got ${ms}`);
  return Math.ceil(ms);
}
