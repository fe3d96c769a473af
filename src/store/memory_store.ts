/**
 * A store in this process's memory, for what serves one process only and must not outlive it:
 * a sandbox provider a test or benchmark serves on a port of its own. The hub never uses it.
 */
import type { Store } from "./store.ts";
import { PaceBook } from "./pace_book.ts";

interface Entry {
  value: string;
  /** Epoch ms, or null for no expiry. */
  expiresAt: number | null;
}

export function createMemoryStore(clock: () => number = Date.now): Store {
  const entries = new Map<string, Entry>();
  const paces = new PaceBook(clock);
  const read = (key: string): string | null => {
    const entry = entries.get(key);
    if (entry === undefined) return null;
    if (entry.expiresAt !== null && entry.expiresAt <= clock()) {
      entries.delete(key);
      return null;
    }
    return entry.value;
  };
  const write = (key: string, value: string, ttlMs: number | undefined): void => {
    if (ttlMs !== undefined && (!Number.isFinite(ttlMs) || ttlMs <= 0)) {
      throw new RangeError(`a TTL must be positive, got ${ttlMs}`);
    }
    entries.set(key, { value, expiresAt: ttlMs === undefined ? null : clock() + ttlMs });
  };
  // Each operation runs to its end before another starts (one thread), so each is atomic.
  return {
    kind: "memory",
    get: (key) => settled(() => read(key)),
    getMany: (keys) => settled(() => keys.map(read)),
    set: (key, value, options) => settled(() => write(key, value, options?.ttlMs)),
    setIfAbsent: (key, value, ttlMs) =>
      settled(() => {
        if (read(key) !== null) return false;
        write(key, value, ttlMs);
        return true;
      }),
    take: (key) =>
      settled(() => {
        const value = read(key);
        entries.delete(key);
        return value;
      }),
    delete: (key) => settled(() => void entries.delete(key)),
    setMany: (writes) =>
      settled(() => {
        for (const w of writes) write(w.key, w.value, w.ttlMs);
      }),
    deleteMany: (keys) =>
      settled(() => {
        for (const key of keys) entries.delete(key);
      }),
    deleteIfEquals: (key, value) => settled(() => read(key) === value && entries.delete(key)),
    replaceIfEquals: (key, expected, value, ttlMs) =>
      settled(() => {
        if (read(key) !== expected) return false;
        write(key, value, ttlMs);
        return true;
      }),
    pace: (request) => settled(() => paces.pace(request)),
    ping: () => Promise.resolve(),
  };
}

/** The result as a promise, a throw as a rejection (as every other store answers). */
function settled<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error);
  }
}
