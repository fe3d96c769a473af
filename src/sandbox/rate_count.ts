/**
 * A sandbox provider's rate limits, counted where it keeps its records (the hub's store when
 * mounted, memory when served alone), so several hub processes mounting the same sandbox count
 * together, as the real provider would: per portal, per base, per token, whoever calls. Each
 * check is one Store.pace that takes a slot only if one is free now. Keys are
 * `sandbox:{provider}:rate:{epoch}:{limit}:{sha256 of the id}` (an id may be a token).
 */
import { encodeBase64Url } from "../base64url.ts";
import type { PaceScope, Store } from "../store/store.ts";

export interface SandboxLimit {
  /** Names the limit in keys: "portal", "base", "token". */
  name: string;
  requests: number;
  windowMs: number;
}

export interface RateCheck {
  allowed: boolean;
  /** Per limit, in order: calls counted in the window ending now (this one included). */
  used: number[];
}

export class SandboxRateCount {
  /** Bumped by reset(): counts kept under an earlier epoch are no longer read (they expire). */
  #epoch = 0;

  constructor(private readonly store: Store, private readonly provider: string) {}

  /** Counts one call under every limit, unless one of them is full or blocked. */
  async take(counted: readonly { limit: SandboxLimit; id: string }[]): Promise<RateCheck> {
    const scopes = await this.#scopes(counted);
    const answer = await this.store.pace({ scopes, count: 1, maxWaitMs: 0 });
    return { allowed: answer.waitsMs.length === 1, used: answer.used };
  }

  /** Calls counted in the window ending now, without counting one. */
  async used(limit: SandboxLimit, id: string): Promise<number> {
    const scopes = await this.#scopes([{ limit, id }]);
    return (await this.store.pace({ scopes, count: 0, maxWaitMs: 0 })).used[0];
  }

  /** Refuses every call under `limit` for `id` for `ms` (Airtable's 30-second penalty). */
  async block(limit: SandboxLimit, id: string, ms: number): Promise<void> {
    const scopes = await this.#scopes([{ limit, id }]);
    await this.store.pace({
      scopes,
      count: 0,
      maxWaitMs: 0,
      block: { keys: [scopes[0].key], ms },
    });
  }

  /** Starts every count afresh, blocks lifted (a test's control; this instance only). */
  reset(): void {
    this.#epoch++;
  }

  async #scopes(counted: readonly { limit: SandboxLimit; id: string }[]): Promise<PaceScope[]> {
    return await Promise.all(counted.map(async ({ limit, id }) => {
      const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(id));
      const key = `sandbox:${this.provider}:rate:${this.#epoch}:${limit.name}:${
        encodeBase64Url(new Uint8Array(digest))
      }`;
      return { key, requests: limit.requests, windowMs: limit.windowMs };
    }));
  }
}
