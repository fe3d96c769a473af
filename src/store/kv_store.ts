/**
 * The embedded store for `deno task dev`: Deno KV in a file, so connections survive restarts.
 * Deno only (the Deno entry opens it). KV deletes expired keys lazily, so every value carries
 * its own expiry and expired entries read as absent.
 */
import { dirname } from "node:path";
import { type Store, StoreUnavailableError } from "./store.ts";

interface Entry {
  value: string;
  /** Epoch ms, or null for no expiry. */
  expiresAt: number | null;
}

const MAX_ATTEMPTS = 20;

export function createKvStore(kv: Deno.Kv, options: { clock?: () => number } = {}): Store {
  const clock = options.clock ?? Date.now;
  const kvKey = (key: string): Deno.KvKey => ["hub", key];
  const live = (entry: Deno.KvEntryMaybe<Entry>): string | null =>
    entry.value !== null && (entry.value.expiresAt === null || entry.value.expiresAt > clock())
      ? entry.value.value
      : null;
  const write = (value: string, ttlMs?: number) => ({
    entry: { value, expiresAt: ttlMs === undefined ? null : clock() + ttlMs } satisfies Entry,
    options: ttlMs === undefined ? undefined : { expireIn: ttlMs },
  });

  async function run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw new StoreUnavailableError(`The embedded store failed during ${operation}.`, {
        cause: error instanceof Error ? error.name : undefined,
      });
    }
  }

  /** Retries an atomic operation that lost a race to another writer. */
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
        if (keys.length === 0) return [];
        const entries = await kv.getMany<Entry[]>(keys.map(kvKey));
        return entries.map(live);
      }),
    set: (key, value, opts) =>
      run("set", async () => {
        const w = write(value, opts?.ttlMs);
        await kv.set(kvKey(key), w.entry, w.options);
      }),
    setIfAbsent: (key, value, ttlMs) =>
      run("setIfAbsent", () =>
        atomically(async () => {
          const current = await kv.get<Entry>(kvKey(key));
          if (live(current) !== null) return false;
          const w = write(value, ttlMs);
          const result = await kv.atomic().check(current).set(kvKey(key), w.entry, w.options)
            .commit();
          return result.ok ? true : CONFLICT;
        })),
    take: (key) =>
      run("take", () =>
        atomically(async () => {
          const current = await kv.get<Entry>(kvKey(key));
          if (current.value === null) return null;
          const result = await kv.atomic().check(current).delete(kvKey(key)).commit();
          if (!result.ok) return CONFLICT;
          return live(current);
        })),
    delete: (key) => run("delete", () => kv.delete(kvKey(key))),
    deleteIfEquals: (key, value) =>
      run("deleteIfEquals", () =>
        atomically(async () => {
          const current = await kv.get<Entry>(kvKey(key));
          if (live(current) !== value) return false;
          const result = await kv.atomic().check(current).delete(kvKey(key)).commit();
          return result.ok ? true : CONFLICT;
        })),
    ping: () =>
      run("ping", async () => {
        await kv.get(["hub", "ping"]);
      }),
  };
}

const CONFLICT = Symbol("conflict");

/** Opens (and creates the folder of) a KV file and wraps it as the embedded store. */
export async function openKvStore(path: string): Promise<Store & { close(): void }> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const kv = await Deno.openKv(path);
  return { ...createKvStore(kv), close: () => kv.close() };
}
