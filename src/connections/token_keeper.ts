import {
  ConnectionBusyError,
  NotConnectedError,
  ProviderError,
  ProviderRateLimitedError,
  ReconnectRequiredError,
} from "../errors.ts";
import { type Logger, silentLogger } from "../log.ts";
import { requestToken, TokenRequestError } from "./token_client.ts";
import type { ActiveProvider } from "../providers/registry.ts";
import { keys } from "../store/keys.ts";
import type { Store } from "../store/store.ts";
import type { Connection, Connections, Owner } from "./connections.ts";
import { readTokenSet } from "./token_set.ts";
import { DEFAULT_LIMITS } from "../config.ts";

export interface TokenKeeperOptions {
  store: Store;
  connections: Connections;
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Refresh when the access token expires within this many ms. */
  refreshMarginMs: number;
  /** One refresh with its retries ends within this (PROVIDER_CALL_TIMEOUT_MS). */
  refreshTimeoutMs?: number;
  /** Gets one line per refresh, unless a caller passes its own (with its request id). */
  log?: Logger;
}

/** Outlives the slowest refresh (a refresh with its retries ends within 20 s by default). */
const LOCK_TTL_MS = 60_000;
const LOCK_POLL_MS = 100;
const LOCK_WAIT_MS = 25_000;
const REFRESH_ATTEMPTS = 3;

/**
 * Hands out usable access tokens. A token close to expiry (or one the provider just rejected)
 * is refreshed once across every process sharing the store: the refresher holds a lock, the
 * others wait and read what it wrote. A failed refresh never loses a working token.
 */
export class TokenKeeper {
  /** Locks this process holds right now (key to holder), so shutdown can release them. */
  readonly #held = new Map<string, string>();

  constructor(private readonly options: TokenKeeperOptions) {}

  /**
   * Releases every lock this process still holds (on shutdown, after in-flight requests had
   * their time): another process need not wait out the TTL. Whatever ran under a lock is
   * abandoned with the process, so a refresh it cut short is settled by the provider's verdict
   * on the stored refresh token. Answers how many were released.
   */
  async releaseHeldLocks(): Promise<number> {
    const held = [...this.#held];
    this.#held.clear();
    const released = await Promise.all(
      held.map(([key, holder]) =>
        this.options.store.deleteIfEquals(key, holder).catch(() => false)
      ),
    );
    return released.filter(Boolean).length;
  }

  /**
   * A usable access token for the connection. `rejected` is a token the provider answered 401
   * to: it is replaced even if its expiry says it is still valid.
   */
  async accessToken(
    provider: ActiveProvider,
    connection: Connection,
    rejected?: string,
  ): Promise<string> {
    return (await this.usable(provider, connection, rejected)).tokens.accessToken;
  }

  /** True when the connection's access token is within the refresh margin of its expiry. */
  isDue(connection: Connection): boolean {
    const { expiresAt } = connection.tokens;
    return expiresAt !== null && expiresAt - this.options.refreshMarginMs <= this.options.clock();
  }

  /** True when the connection's access token is past its expiry. */
  isExpired(connection: Connection): boolean {
    const { expiresAt } = connection.tokens;
    return expiresAt !== null && expiresAt <= this.options.clock();
  }

  /**
   * The connection with a usable access token: `connection` itself when its token is fresh,
   * else the newest stored one, refreshed first when it is due or is the `rejected` token.
   * `connection` may be stale (read before a long wait): only the store's copy is ever refreshed
   * or marked, so a stale read can never put old tokens back.
   */
  async usable(
    provider: ActiveProvider,
    connection: Connection,
    rejected?: string,
    log: Logger = this.options.log ?? silentLogger,
  ): Promise<Connection> {
    this.#ensureConnected(provider, connection);
    if (!this.#needsRefresh(connection, rejected)) return connection;
    const { connections } = this.options;
    if (rejected !== undefined) {
      // Most often another request or process has replaced the rejected token already.
      const stored = await this.#stored(provider, connection);
      if (!this.#needsRefresh(stored, rejected)) return stored;
    }
    return await this.#whileLocked(provider, connection.owner, {
      // Another process may have refreshed, or disconnected, between our read and the lock.
      locked: async () => {
        const current = await this.#stored(provider, connection);
        if (!this.#needsRefresh(current, rejected)) return current;
        return await this.#refresh(provider, current, rejected !== undefined, log);
      },
      // While another holder refreshes, its result is read as soon as it is stored.
      waiting: async () => {
        const current = await connections.get(connection.provider, connection.owner);
        if (current === null) return null;
        this.#ensureConnected(provider, current);
        return this.#needsRefresh(current, rejected) ? null : current;
      },
      busy:
        `Another request is still refreshing the ${provider.spec.displayName} token; try again shortly.`,
    });
  }

  /**
   * Runs `fn` while holding the connection's lock, so that it never interleaves with a refresh
   * (a disconnect must not be undone by a refresh finishing after it).
   */
  exclusive<T>(provider: ActiveProvider, owner: Owner, fn: () => Promise<T>): Promise<T> {
    return this.#whileLocked(provider, owner, {
      locked: fn,
      waiting: () => Promise.resolve(null),
      busy:
        `Another request is still working on the ${provider.spec.displayName} connection; try again shortly.`,
    });
  }

  /**
   * Takes the connection's lock (one holder across every process) and runs `locked`; between
   * attempts `waiting` may settle the matter without the lock. Locks are released on every path,
   * and expire by themselves if their holder dies.
   */
  async #whileLocked<T>(
    provider: ActiveProvider,
    owner: Owner,
    steps: { locked: () => Promise<T>; waiting: () => Promise<T | null>; busy: string },
  ): Promise<T> {
    const { store, clock, sleep } = this.options;
    const lockKey = keys.refreshLock(provider.spec.id, owner.orgId, owner.userId);
    const deadline = clock() + LOCK_WAIT_MS;
    while (true) {
      const holder = crypto.randomUUID();
      if (await store.setIfAbsent(lockKey, holder, LOCK_TTL_MS)) {
        this.#held.set(lockKey, holder);
        try {
          return await steps.locked();
        } finally {
          this.#held.delete(lockKey);
          await store.deleteIfEquals(lockKey, holder);
        }
      }
      await sleep(LOCK_POLL_MS);
      const settled = await steps.waiting();
      if (settled !== null) return settled;
      if (clock() > deadline) throw new ConnectionBusyError(steps.busy);
    }
  }

  async #stored(provider: ActiveProvider, connection: Connection): Promise<Connection> {
    const current = await this.options.connections.get(connection.provider, connection.owner);
    if (current === null) throw this.#gone(provider);
    this.#ensureConnected(provider, current);
    return current;
  }

  #gone(provider: ActiveProvider): NotConnectedError {
    return new NotConnectedError(`${provider.spec.displayName} was disconnected meanwhile.`);
  }

  #ensureConnected(provider: ActiveProvider, connection: Connection): void {
    if (connection.status === "reconnect_required") {
      // The stored message already says what to do; it is not prefixed again.
      throw new ReconnectRequiredError(
        connection.lastError?.message ??
          `${provider.spec.displayName} needs you to reconnect: the provider no longer accepts the stored grant.`,
      );
    }
  }

  #needsRefresh(connection: Connection, rejected: string | undefined): boolean {
    if (rejected !== undefined) return connection.tokens.accessToken === rejected;
    return this.isDue(connection);
  }

  async #refresh(
    provider: ActiveProvider,
    connection: Connection,
    forced: boolean,
    log: Logger,
  ): Promise<Connection> {
    const { connections, clock, sleep } = this.options;
    const started = clock();
    const line = (outcome: string, reason?: string) => ({
      provider: provider.spec.id,
      outcome,
      ...(reason === undefined ? {} : { reason }),
      ms: clock() - started,
    });
    const { refreshToken } = connection.tokens;
    if (refreshToken === null) {
      log.warn("token refresh", line("reconnect_required", "rejected and no refresh token"));
      return await this.#markReconnect(
        provider,
        connection,
        "the provider rejected the access token and gave no refresh token.",
      );
    }
    let lastError: TokenRequestError | null = null;
    const deadline = clock() +
      (this.options.refreshTimeoutMs ?? DEFAULT_LIMITS.providerCallTimeoutMs);
    for (let attempt = 0; attempt < REFRESH_ATTEMPTS; attempt++) {
      if (attempt > 0) {
        const backoff = 500 * 2 ** (attempt - 1);
        if (clock() + backoff >= deadline) break;
        await sleep(backoff);
      }
      try {
        const response = await requestToken(provider.spec.oauth, provider.app, {
          grantType: "refresh_token",
          refreshToken,
        }, AbortSignal.timeout(Math.max(1, deadline - clock())));
        const refreshed: Connection = {
          ...connection,
          tokens: readTokenSet(response, refreshToken, clock()),
          lastError: null,
        };
        await connections.save(refreshed);
        log.info("token refresh", line(forced ? "refreshed_after_401" : "refreshed"));
        return refreshed;
      } catch (error) {
        if (!(error instanceof TokenRequestError)) throw error;
        if (error.kind === "invalid_grant") {
          log.warn("token refresh", line("reconnect_required", "invalid_grant"));
          return await this.#markReconnect(
            provider,
            connection,
            "the provider revoked or expired the grant.",
          );
        }
        if (error.kind !== "temporary" && error.kind !== "rate_limited") {
          log.error("token refresh", line("refused", error.message));
          throw new ProviderError(
            `${provider.spec.displayName} refused the token refresh: ${error.message}`,
          );
        }
        log.warn("token refresh", line(`retry_${error.kind}`, error.message));
        lastError = error;
      }
    }
    // Temporary failure: the stored tokens stay as they are; an unexpired token is still usable.
    const { expiresAt } = connection.tokens;
    if (!forced && (expiresAt === null || expiresAt > clock())) return connection;
    const message =
      `${provider.spec.displayName} could not refresh the token just now: ${lastError?.message} Try again shortly.`;
    if (lastError?.kind === "rate_limited") throw new ProviderRateLimitedError(message, 10);
    throw new ProviderError(message);
  }

  /**
   * Keeps the connection but marks it as needing the user; always throws ReconnectRequiredError.
   * Only called under the lock with the stored connection, and only on the provider's own
   * verdict on the grant, so a live connection is never marked and no token is overwritten.
   */
  async #markReconnect(
    provider: ActiveProvider,
    connection: Connection,
    reason: string,
  ): Promise<never> {
    const message = `${provider.spec.displayName} needs you to reconnect: ${reason}`;
    await this.options.connections.save({
      ...connection,
      status: "reconnect_required",
      lastError: {
        code: "reconnect_required",
        message,
        at: new Date(this.options.clock()).toISOString(),
      },
    });
    throw new ReconnectRequiredError(message);
  }
}
