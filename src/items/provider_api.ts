import type { z } from "zod";
import type { Connection } from "../connections/connections.ts";
import type { TokenKeeper } from "../connections/token_keeper.ts";
import { ProviderError, ProviderRateLimitedError, ProviderStatusError } from "../errors.ts";
import type { ActiveProvider } from "../providers/registry.ts";
import type { ApiRequest, ProviderApi } from "../providers/spec.ts";
import type { RateLimiter } from "./rate_limiter.ts";

const CALL_TIMEOUT_MS = 30_000;
const RATE_LIMIT_RETRIES = 2;
const SERVER_ERROR_RETRIES = 2;

export interface ProviderApiOptions {
  provider: ActiveProvider;
  connection: Connection;
  keeper: TokenKeeper;
  limiter: RateLimiter;
  sleep: (ms: number) => Promise<void>;
  /** Called once per HTTP request sent to the provider. */
  onCall?: () => void;
}

/**
 * Calls one provider's API for one connection: paced under its rate limit, a 429 waited out
 * (bounded), one forced refresh and retry on a 401, 5xx and network failures retried a little,
 * and every answer validated. Failures become the contract's errors, never raw bodies.
 */
export class ProviderApiClient implements ProviderApi {
  /** One token lookup shared by every concurrent call of this listing. */
  #token: Promise<string> | null = null;

  constructor(private readonly options: ProviderApiOptions) {}

  #currentToken(rejected?: string): Promise<string> {
    const { provider, connection, keeper } = this.options;
    if (this.#token === null || rejected !== undefined) {
      const previous = this.#token;
      const next = (async () => {
        // Calls that failed with the same token share one forced refresh.
        if (rejected !== undefined && previous !== null && (await previous) !== rejected) {
          return await previous;
        }
        return await keeper.accessToken(provider, connection, rejected);
      })();
      this.#token = next;
      next.catch(() => {
        if (this.#token === next) this.#token = null;
      });
    }
    return this.#token;
  }

  async call<T>(request: ApiRequest, schema: z.ZodType<T>): Promise<T> {
    const { provider, connection, keeper, limiter, sleep } = this.options;
    const name = provider.spec.displayName;
    const rule = provider.spec.rateLimit;
    // A per-key limit (an Airtable base) is shared by every connection that reaches that key.
    const limitKey = rule.scope === "key" && request.rateKey
      ? `key:${request.rateKey}`
      : `connection:${connection.owner.orgId}/${connection.owner.userId}`;
    let token = await this.#currentToken();
    let refreshed = false;
    let rateLimited = 0;
    let serverErrors = 0;
    while (true) {
      await limiter.acquire(limitKey);
      const response = await this.#send(request, token);
      if (response === null) {
        if (serverErrors++ < SERVER_ERROR_RETRIES) {
          await sleep(250 * 2 ** serverErrors);
          continue;
        }
        throw new ProviderError(`${name} could not be reached; try again shortly.`);
      }
      if (response.status === 401 && !refreshed) {
        await response.body?.cancel();
        refreshed = true;
        token = await this.#currentToken(token);
        continue;
      }
      if (response.status === 401) {
        await response.body?.cancel();
        return await keeper.markReconnect(
          provider,
          connection,
          "the provider rejected a freshly refreshed token.",
        );
      }
      if (rule.statuses.includes(response.status)) {
        await response.body?.cancel();
        const waitMs = retryAfterMs(response, rule.honoursRetryAfter) ?? rule.penaltyMs;
        limiter.penalize(limitKey, waitMs);
        if (rateLimited++ < RATE_LIMIT_RETRIES) continue;
        throw new ProviderRateLimitedError(
          `${name} is rate limiting this connection; try again in ${Math.ceil(waitMs / 1000)} s.`,
          waitMs / 1000,
        );
      }
      if (response.status >= 500) {
        await response.body?.cancel();
        if (serverErrors++ < SERVER_ERROR_RETRIES) {
          await sleep(250 * 2 ** serverErrors);
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

  /** One HTTP request; null when the network failed or timed out. */
  async #send(request: ApiRequest, token: string): Promise<Response | null> {
    const { provider, onCall } = this.options;
    const url = new URL(provider.app.apiUrl + request.path);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      url.searchParams.set(name, value);
    }
    const headers = new Headers({
      ...provider.spec.apiHeaders,
      Accept: "application/json",
      Authorization: `Bearer ${token}`,
    });
    if (request.json !== undefined) headers.set("Content-Type", "application/json");
    onCall?.();
    try {
      return await provider.app.fetch(url, {
        method: request.method,
        headers,
        body: request.json === undefined ? undefined : JSON.stringify(request.json),
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      });
    } catch {
      return null;
    }
  }
}

function retryAfterMs(response: Response, honoured: boolean): number | null {
  if (!honoured) return null;
  const seconds = Number(response.headers.get("Retry-After"));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : null;
}
