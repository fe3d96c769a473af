import type { z } from "zod";
import type { Connection } from "../connections/connections.ts";
import type { TokenKeeper } from "../connections/token_keeper.ts";
import {
  ProviderError,
  ProviderRateLimitedError,
  ProviderStatusError,
  ProviderTimeoutError,
} from "../errors.ts";
import type { ActiveProvider } from "../providers/registry.ts";
import type { ApiRequest, ProviderApi } from "../contract/calls.ts";
import { type Logger, silentLogger } from "../log.ts";
import { type PaceSession, RateLimitWaitTooLong } from "../pacing/pacer.ts";
import { type CallScopes, callScopes } from "../pacing/scopes.ts";
import { DEFAULT_LIMITS } from "../config.ts";
import { type NoAnswer, outcomeOf, retryAfterMs, statedLimit } from "./provider_status.ts";

const RATE_LIMIT_RETRIES = 2;
const SERVER_ERROR_RETRIES = 2;
/** A request whose tokens keep being rejected gives up after this many 401s. */
const UNAUTHORIZED_RETRIES = 3;

/** Where a call's token comes from: the token keeper, or a token just issued (at connect). */
export type TokenSource = Pick<TokenKeeper, "isDue" | "isExpired" | "usable">;

export interface ProviderApiOptions {
  provider: ActiveProvider;
  connection: Connection;
  keeper: TokenSource;
  /** This listing's session of the hub's shared pacer. */
  pacer: PaceSession;
  sleep: (ms: number) => Promise<void>;
  /** Called once per HTTP request to the provider, with what it asks, and awaited before it leaves. */
  onCall?: (request: ApiRequest) => void | Promise<void>;
  /** Gets one line per provider call (the request's logger, with its id). */
  log?: Logger;
  clock?: () => number;
  /**
   * One call with its retries answers within this (PROVIDER_CALL_TIMEOUT_MS); each try is
   * bounded by the app's fetch (PROVIDER_TRY_TIMEOUT_MS). Without `rateLimitWaitMs` (in the
   * background) the waits for rate-limit slots between tries are not counted.
   */
  callTimeoutMs?: number;
  /**
   * Longest wait for a rate-limit slot (RATE_LIMIT_WAIT_MS) on a request path; beyond it the
   * call fails with 503 and Retry-After. Unset: waits as long as the limit needs.
   */
  rateLimitWaitMs?: number;
}

/**
 * Calls one provider's API for one connection: paced under its rate limit, a 429 waited out
 * (bounded), a rejected token replaced and the call retried (bounded), 5xx and network failures
 * retried a little, and every answer validated. Failures become the contract's errors, never raw
 * bodies. Only the token keeper decides that a connection needs reconnecting.
 */
export class ProviderApiClient implements ProviderApi {
  /** The newest connection (and so tokens) this listing knows of. */
  #known: Connection;
  /** One token renewal shared by every concurrent call of this listing. */
  #renewal: Promise<Connection> | null = null;
  /** Whether the keeper has vouched for #known during this listing. */
  #renewed = false;

  constructor(private readonly options: ProviderApiOptions) {
    this.#known = options.connection;
  }

  /**
   * The token to send now. Asked after the rate-limit wait, so a token that came due while the
   * call was queued (or was replaced by another request meanwhile) is never sent.
   */
  async #token(rejected?: string): Promise<string> {
    const { provider, keeper } = this.options;
    if (this.#renewal !== null) return (await this.#renewal).tokens.accessToken;
    const known = this.#known;
    // The refresh margin is applied once per listing; after that the keeper's answer stands
    // until the token is rejected or really expires (a margin longer than a token's life must
    // not refresh before every call).
    const stale = rejected !== undefined
      ? known.tokens.accessToken === rejected
      : this.#renewed
      ? keeper.isExpired(known)
      : keeper.isDue(known);
    if (!stale) return known.tokens.accessToken;
    const renewal = keeper.usable(provider, known, rejected, this.options.log);
    this.#renewal = renewal;
    try {
      this.#known = await renewal;
      this.#renewed = true;
      return this.#known.tokens.accessToken;
    } finally {
      if (this.#renewal === renewal) this.#renewal = null;
    }
  }

  async call<T>(request: ApiRequest, schema: z.ZodType<T>): Promise<T> {
    const { provider, connection, pacer, sleep, log = silentLogger } = this.options;
    const clock = this.options.clock ?? Date.now;
    const callTimeoutMs = this.options.callTimeoutMs ?? DEFAULT_LIMITS.providerCallTimeoutMs;
    const name = provider.spec.displayName;
    const limits = provider.spec.rateLimits;
    const maxWaitMs = this.#maxWaitMs();
    // Keyed by what the provider counts (a portal, a base): shared by every connection to it.
    const paced: CallScopes = callScopes(
      provider.spec,
      connection,
      request,
      (key) => pacer.pacer.statedLimit(key),
    );
    let rejected: string | undefined;
    let unauthorized = 0;
    let rateLimited = 0;
    let serverErrors = 0;
    /** Set when the first try leaves: retries and their backoff must end by then. */
    let deadline: number | null = null;
    const timedOut = () =>
      new ProviderTimeoutError(
        `${name} did not answer within ${Math.ceil(callTimeoutMs / 1000)} s; try again shortly.`,
      );
    /** Backs off before a retry, or says there is no time left for one. */
    const backOff = async (ms: number): Promise<boolean> => {
      if (deadline !== null && clock() + ms >= deadline) return false;
      await sleep(ms);
      return true;
    };
    while (true) {
      const asked = clock();
      let slot = await this.#slot(paced, name);
      let token = await this.#token(rejected);
      await this.#hold(paced);
      // A slot that went stale while a token was fetched or refreshed (or a late call held
      // this one back) is not used: the call would reach the provider beside later slots'
      // calls, another process's among them.
      if (clock() - slot > paced.staleMs) {
        // Worth seeing: this process is running late (a loaded machine), and each costs a slot.
        log.info("rate-limit slot retaken", {
          provider: provider.spec.id,
          late_ms: Math.round(clock() - slot),
        });
        slot = await this.#slot(paced, name);
        token = await this.#token(rejected);
        await this.#hold(paced);
      }
      pacer.pacer.noteDelay(clock() - slot);
      pacer.pacer.calls.noteSent(paced.sends);
      // In the background (a sync) the bound is on the provider's answers, not on waiting out
      // its limit: a 429's penalty (Airtable's 30 s) is waited out, however long, not failed.
      if (deadline !== null && maxWaitMs === null) deadline += clock() - asked;
      deadline ??= clock() + callTimeoutMs;
      const response = await this.#send(request, token, deadline - clock(), paced);
      if (typeof response === "string") {
        if (serverErrors++ < SERVER_ERROR_RETRIES && await backOff(250 * 2 ** serverErrors)) {
          continue;
        }
        if (response === "timeout" || clock() >= deadline) throw timedOut();
        throw new ProviderError(`${name} could not be reached; try again shortly.`);
      }
      if (response.status === 401) {
        await response.body?.cancel();
        // The keeper re-reads the stored token and refreshes only if it is still this one; a
        // dead grant is its verdict (from the token endpoint), not this call's.
        if (unauthorized++ < UNAUTHORIZED_RETRIES) {
          rejected = token;
          continue;
        }
        throw new ProviderError(
          `${name} kept rejecting fresh access tokens (HTTP 401); try again shortly.`,
        );
      }
      rejected = undefined;
      const stated = statedLimit(this.options.provider.spec.rateLimits, response, paced);
      if (stated !== null) pacer.pacer.noteStatedLimit(paced.scopes[0].key, stated);
      if (limits.statuses.includes(response.status)) {
        await response.body?.cancel();
        const waitMs = retryAfterMs(response, limits.honoursRetryAfter) ??
          paced.rules[0].penaltyMs;
        const blocked = [paced.scopes[0].key];
        if (rateLimited++ < RATE_LIMIT_RETRIES) {
          // The retry's reservation carries the block: one round trip, and it waits it out.
          await pacer.block(paced.scopes, blocked, waitMs, { retryMaxWaitMs: maxWaitMs });
          continue;
        }
        await pacer.block(paced.scopes, blocked, waitMs, "alone");
        throw new ProviderRateLimitedError(
          `${name} is rate limiting this connection; try again in ${Math.ceil(waitMs / 1000)} s.`,
          waitMs / 1000,
        );
      }
      if (response.status >= 500) {
        await response.body?.cancel();
        if (serverErrors++ < SERVER_ERROR_RETRIES && await backOff(250 * 2 ** serverErrors)) {
          continue;
        }
        throw new ProviderError(`${name} failed (HTTP ${response.status}); try again shortly.`);
      }
      if (!response.ok) {
        throw new ProviderStatusError(
          response.status === 403
            ? `${name} refused access (HTTP 403): the connection lacks a permission. Reconnect and grant it.`
            : `${name} refused the request (HTTP ${response.status}).`,
          response.status,
          await response.json().catch(() => null),
        );
      }
      const parsed = schema.safeParse(await response.json().catch(() => undefined));
      if (!parsed.success) {
        throw new ProviderError(`${name} answered in a form the hub does not understand.`);
      }
      return parsed.data;
    }
  }

  /** Waits for a rate-limit slot, within the wait this path may make. */
  async #slot(paced: CallScopes, name: string): Promise<number> {
    try {
      return await this.options.pacer.acquire(paced.scopes, this.#maxWaitMs());
    } catch (error) {
      if (!(error instanceof RateLimitWaitTooLong)) throw error;
      throw new ProviderRateLimitedError(
        `Too many requests are waiting for ${name}'s rate limit; try again in ${
          Math.max(1, Math.ceil(error.waitMs / 1000))
        } s.`,
        error.waitMs / 1000,
      );
    }
  }

  /** Waits while a call of this process that left late holds this one back. */
  async #hold(paced: CallScopes): Promise<void> {
    const ms = this.options.pacer.pacer.calls.holdMs(paced.sends);
    if (ms > 0) await this.options.sleep(ms);
  }

  /** The longest wait for a slot on this path; null: as long as the limit needs. */
  #maxWaitMs(): number | null {
    const ms = this.options.rateLimitWaitMs;
    return ms === undefined || !Number.isFinite(ms) ? null : ms;
  }

  /** One HTTP request, or why none came back within `timeoutMs` (or the app's per-try bound). */
  async #send(
    request: ApiRequest,
    token: string,
    timeoutMs: number,
    paced: CallScopes,
  ): Promise<Response | NoAnswer> {
    const { provider, onCall, log = silentLogger } = this.options;
    // A provider whose API lives at a per-connection address (Salesforce's instance_url) says
    // where from what was stored with the connection.
    const base = provider.spec.apiBase?.(this.#known.extra) ?? provider.app.apiUrl;
    const url = new URL(base + request.path);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      url.searchParams.set(name, value);
    }
    const headers = new Headers({
      ...provider.spec.apiHeaders,
      Accept: "application/json",
      Authorization: `Bearer ${token}`,
    });
    if (request.json !== undefined) headers.set("Content-Type", "application/json");
    // Only tests watch calls: without a watcher the call leaves in this turn.
    if (onCall !== undefined) await onCall(request);
    const started = Date.now();
    // The path names provider objects (base and table ids), never a token; queries are left out.
    const call = {
      provider: provider.spec.id,
      method: request.method,
      path: request.logPath ?? request.path,
    };
    try {
      const response = await provider.app.fetch(url, {
        method: request.method,
        headers,
        body: request.json === undefined ? undefined : JSON.stringify(request.json),
        signal: AbortSignal.timeout(Math.max(1, timeoutMs)),
      });
      const fields = { ...call, status: response.status, ms: Date.now() - started };
      this.options.pacer.pacer.calls.noteAnswered(paced.scopes, started, fields.ms);
      if (response.ok) log.info("provider call", { ...fields, outcome: "ok" });
      else log.warn("provider call", { ...fields, outcome: outcomeOf(response.status) });
      return response;
    } catch (error) {
      const outcome = error instanceof Error && error.name === "TimeoutError"
        ? "timeout"
        : "unreachable";
      log.warn("provider call", {
        ...call,
        status: null,
        ms: Date.now() - started,
        outcome,
        reason: error instanceof Error ? error.name : "unknown",
      });
      return outcome;
    }
  }
}
