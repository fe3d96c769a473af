import {
  NotConnectedError,
  ProviderError,
  ProviderRateLimitedError,
  ReconnectRequiredError,
} from "../errors.ts";
import { requestToken, TokenRequestError } from "../oauth/token_client.ts";
import type { ActiveProvider } from "../providers/registry.ts";
import { keys } from "../store/keys.ts";
import type { Store } from "../store/store.ts";
import type { Connection, Connections, Owner } from "./connections.ts";
import { readTokenSet } from "./token_set.ts";

export interface TokenKeeperOptions {
  store: Store;
  connections: Connections;
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Refresh when the access token expires within this many ms. */
  refreshMarginMs: number;
}

/** Outlives the slowest refresh (token requests time out after 20 s). */
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
  constructor(private readonly options: TokenKeeperOptions) {}

  /**
   * A usable access token for the connection. `rejected` is a token the provider answered 401
   * to: it is replaced even if its expiry says it is still valid.
   */
  async accessToken(
    provider: ActiveProvider,
    connection: Connection,
    rejected?: string,
  ): Promise<string> {
    this.#ensureConnected(provider, connection);
    if (!this.#needsRefresh(connection, rejected)) return connection.tokens.accessToken;
    const { store, connections, clock, sleep } = this.options;
    const lockKey = keys.refreshLock(
      connection.provider,
      connection.owner.orgId,
      connection.owner.userId,
    );
    const deadline = clock() + LOCK_WAIT_MS;
    while (true) {
      const holder = crypto.randomUUID();
      if (await store.setIfAbsent(lockKey, holder, LOCK_TTL_MS)) {
        try {
          // Another process may have refreshed, or disconnected, between our read and the lock.
          const current = await connections.get(connection.provider, connection.owner);
          if (current === null) throw this.#gone(provider);
          this.#ensureConnected(provider, current);
          if (!this.#needsRefresh(current, rejected)) return current.tokens.accessToken;
          return await this.#refresh(provider, current, rejected !== undefined);
        } finally {
          await store.deleteIfEquals(lockKey, holder);
        }
      }
      await sleep(LOCK_POLL_MS);
      const current = await connections.get(connection.provider, connection.owner);
      if (current !== null) {
        this.#ensureConnected(provider, current);
        if (!this.#needsRefresh(current, rejected)) return current.tokens.accessToken;
      }
      if (clock() > deadline) {
        throw new ProviderError(
          `Another request is still refreshing the ${provider.spec.displayName} token; try again shortly.`,
        );
      }
    }
  }

  /**
   * Runs `fn` while holding the connection's lock, so that it never interleaves with a refresh
   * (a disconnect must not be undone by a refresh finishing after it).
   */
  async exclusive<T>(provider: ActiveProvider, owner: Owner, fn: () => Promise<T>): Promise<T> {
    const { store, clock, sleep } = this.options;
    const lockKey = keys.refreshLock(provider.spec.id, owner.orgId, owner.userId);
    const deadline = clock() + LOCK_WAIT_MS;
    const holder = crypto.randomUUID();
    while (!(await store.setIfAbsent(lockKey, holder, LOCK_TTL_MS))) {
      if (clock() > deadline) {
        throw new ProviderError(
          `Another request is still working on the ${provider.spec.displayName} connection; try again shortly.`,
        );
      }
      await sleep(LOCK_POLL_MS);
    }
    try {
      return await fn();
    } finally {
      await store.deleteIfEquals(lockKey, holder);
    }
  }

  #gone(provider: ActiveProvider): NotConnectedError {
    return new NotConnectedError(`${provider.spec.displayName} was disconnected meanwhile.`);
  }

  #ensureConnected(provider: ActiveProvider, connection: Connection): void {
    if (connection.status === "reconnect_required") {
      throw new ReconnectRequiredError(
        `${provider.spec.displayName} needs you to reconnect: ${
          connection.lastError?.message ?? "the provider no longer accepts the stored grant."
        }`,
      );
    }
  }

  #needsRefresh(connection: Connection, rejected: string | undefined): boolean {
    if (rejected !== undefined) return connection.tokens.accessToken === rejected;
    const { expiresAt } = connection.tokens;
    return expiresAt !== null && expiresAt - this.options.refreshMarginMs <= this.options.clock();
  }

  async #refresh(
    provider: ActiveProvider,
    connection: Connection,
    forced: boolean,
  ): Promise<string> {
    const { connections, clock, sleep } = this.options;
    const { refreshToken } = connection.tokens;
    if (refreshToken === null) {
      return await this.markReconnect(
        provider,
        connection,
        "the provider rejected the access token and gave no refresh token.",
      );
    }
    let lastError: TokenRequestError | null = null;
    for (let attempt = 0; attempt < REFRESH_ATTEMPTS; attempt++) {
      if (attempt > 0) await sleep(500 * 2 ** (attempt - 1));
      try {
        const response = await requestToken(provider.spec.oauth, provider.app, {
          grantType: "refresh_token",
          refreshToken,
        });
        const tokens = readTokenSet(response, refreshToken, clock());
        await connections.save({ ...connection, tokens, lastError: null });
        return tokens.accessToken;
      } catch (error) {
        if (!(error instanceof TokenRequestError)) throw error;
        if (error.kind === "invalid_grant") {
          return await this.markReconnect(
            provider,
            connection,
            "the provider revoked or expired the grant.",
          );
        }
        if (error.kind !== "temporary" && error.kind !== "rate_limited") {
          throw new ProviderError(
            `${provider.spec.displayName} refused the token refresh: ${error.message}`,
          );
        }
        lastError = error;
      }
    }
    // Temporary failure: the stored tokens stay as they are; an unexpired token is still usable.
    const { expiresAt } = connection.tokens;
    if (!forced && (expiresAt === null || expiresAt > clock())) {
      return connection.tokens.accessToken;
    }
    const message =
      `${provider.spec.displayName} could not refresh the token just now: ${lastError?.message} Try again shortly.`;
    if (lastError?.kind === "rate_limited") throw new ProviderRateLimitedError(message, 10);
    throw new ProviderError(message);
  }

  /** Keeps the connection but marks it as needing the user; always throws ReconnectRequiredError. */
  async markReconnect(
    provider: ActiveProvider,
    connection: Connection,
    reason: string,
  ): Promise<never> {
    const message = `${provider.spec.displayName} needs you to reconnect: ${reason}`;
    // A connection deleted meanwhile stays deleted.
    if ((await this.options.connections.get(connection.provider, connection.owner)) === null) {
      throw this.#gone(provider);
    }
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
