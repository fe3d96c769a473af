/** The one storage seam of the hub: OAuth state, connections and locks all go through it. */
export interface Store {
  /** "upstash" or "embedded", as reported by /health; "memory" only for standalone sandboxes. */
  readonly kind: StoreKind;
  get(key: string): Promise<string | null>;
  /** Reads several keys in one round trip; the answer has one entry per key, in order. */
  getMany(keys: readonly string[]): Promise<(string | null)[]>;
  set(key: string, value: string, options?: { ttlMs?: number }): Promise<void>;
  /** Sets only when the key is absent (or expired); true when this call set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Reads and deletes in one atomic operation: a value can be taken once. */
  take(key: string): Promise<string | null>;
  delete(key: string): Promise<void>;
  /**
   * Writes several keys in one round trip (one transaction on Upstash: all or none). Callers
   * keep a batch under WRITE_BATCH_BYTES of values (Upstash's request size limit).
   */
  setMany(entries: readonly StoreWrite[]): Promise<void>;
  /** Deletes several keys in one round trip; absent keys are ignored. */
  deleteMany(keys: readonly string[]): Promise<void>;
  /** Deletes only while the key still holds `value` (a lock released by its holder). */
  deleteIfEquals(key: string, value: string): Promise<boolean>;
  /**
   * Writes `value` with a new TTL only while the key still holds `expected`: a lease renewed
   * (or handed over) by its holder, never by a process whose lease has lapsed.
   */
  replaceIfEquals(key: string, expected: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * Reserves provider call slots across every process sharing the store, in one atomic round
   * trip (one script on Upstash): see PaceRequest.
   */
  pace(request: PaceRequest): Promise<PaceAnswer>;
  /** A real round trip to the backing store; throws StoreUnavailableError when it is down. */
  ping(): Promise<void>;
}

/** One value of a `setMany`. */
export interface StoreWrite {
  key: string;
  value: string;
  ttlMs?: number;
}

/**
 * Most bytes of values one `setMany` should carry: under Upstash's 1 MB request limit (free
 * plan) with room for keys and JSON escaping.
 */
export const WRITE_BATCH_BYTES = 600_000;

/** One limit a call counts against: at most `requests` starts in any `windowMs` under `key`. */
export interface PaceScope {
  key: string;
  requests: number;
  windowMs: number;
}

/**
 * Asks for `count` start times that keep every scope under its limit, after any block. Under
 * one scope starts are handed out in order (first come, first served); a call that waits for a
 * busy scope holds no one back in the other scopes it counts against (another Airtable base's
 * calls under the same token). A slot further away than `maxWaitMs` is not taken.
 */
export interface PaceRequest {
  scopes: readonly PaceScope[];
  /** Slots wanted (0 to only apply `block`). */
  count: number;
  /** Longest wait a slot may have; null: any. */
  maxWaitMs: number | null;
  /** Before reserving: blocks these scope keys for `ms` (a 429 seen by the caller). */
  block?: { keys: readonly string[]; ms: number };
  /**
   * How late the caller's calls may leave after their start: its slots count that much later
   * against the windows of the slots reserved after them, whoever reserves those. Default 0.
   */
  lateMs?: number;
}

export interface PaceAnswer {
  /** How long from now each granted slot starts, ascending (the store's clock, so no skew). */
  waitsMs: number[];
  /** The wait of the first slot not granted (over `maxWaitMs`), or null when all were. */
  refusedWaitMs: number | null;
  /** Per scope, in order: starts reserved in the window ending at the last granted slot. */
  used: number[];
}

export type StoreKind = "upstash" | "embedded" | "memory";

/** How long one store command may take before it fails as unavailable (STORE_TIMEOUT_MS). */
export const DEFAULT_STORE_TIMEOUT_MS = 2_000;

/** Raised by a store adapter when its backend cannot be reached or answers with an error. */
export class StoreUnavailableError extends Error {
  readonly code = "store_unavailable";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreUnavailableError";
  }
}
