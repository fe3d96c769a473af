/**
 * Where a sandbox provider keeps what it hands out (codes, grants, tokens, cursors): in the
 * hub's own store when mounted, so a restart or another process finds it, or in memory when a
 * test serves the sandbox on a port of its own. Keys are `sandbox:{provider}:{kind}:{sha256}`:
 * a token is a key's hash, never its text, so nothing in the store can be replayed.
 */
import type { z } from "zod";
import { encodeBase64Url } from "../base64url.ts";
import type { Store } from "../store/store.ts";

export class SandboxRecords<V> {
  readonly #store: Store;
  readonly #prefix: string;
  readonly #schema: z.ZodType<V>;
  /** Ids this instance wrote, so a test's control can reach them (they are never listed). */
  readonly #written = new Set<string>();

  constructor(store: Store, provider: string, kind: string, schema: z.ZodType<V>) {
    this.#store = store;
    this.#prefix = `sandbox:${provider}:${kind}:`;
    this.#schema = schema;
  }

  async get(id: string): Promise<V | undefined> {
    return this.#parse(await this.#store.get(await this.#key(id)));
  }

  async set(id: string, value: V, ttlMs?: number): Promise<void> {
    this.#written.add(id);
    await this.#store.set(await this.#key(id), JSON.stringify(value), { ttlMs });
  }

  /** Reads and removes in one atomic step: of concurrent takers, one gets the value. */
  async take(id: string): Promise<V | undefined> {
    return this.#parse(await this.#store.take(await this.#key(id)));
  }

  /** Writes only when absent: true for the one caller of many that wrote it. */
  async claim(id: string, value: V, ttlMs: number): Promise<boolean> {
    return await this.#store.setIfAbsent(await this.#key(id), JSON.stringify(value), ttlMs);
  }

  async delete(id: string): Promise<void> {
    await this.#store.delete(await this.#key(id));
  }

  /** Every id this instance wrote, whether or not it still holds a record. */
  writtenIds(): string[] {
    return [...this.#written];
  }

  /** The ids this instance wrote that still hold a record. */
  async written(): Promise<[string, V][]> {
    const ids = [...this.#written];
    const values = await this.#store.getMany(await Promise.all(ids.map((id) => this.#key(id))));
    return ids.flatMap((id, i) => {
      const value = this.#parse(values[i]);
      return value === undefined ? [] : [[id, value] as [string, V]];
    });
  }

  async #key(id: string): Promise<string> {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(id));
    return this.#prefix + encodeBase64Url(new Uint8Array(digest));
  }

  /** A record this version cannot read (an older sandbox wrote it) counts as absent. */
  #parse(raw: string | null): V | undefined {
    if (raw === null) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return undefined;
    }
    const parsed = this.#schema.safeParse(json);
    return parsed.success ? parsed.data : undefined;
  }
}
