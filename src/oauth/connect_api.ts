/**
 * Provider calls made at connect, with the token just issued and before the connection is
 * stored (Airtable's whoami, HubSpot's token metadata): through the same path as every other
 * call, so they take their slots from the shared pacer under the scopes the new connection's
 * calls will count against. There is nothing to refresh yet: a rejected token fails the connect.
 */
import type { Connection } from "../connections/connections.ts";
import type { ProviderApi } from "../contract/calls.ts";
import { ProviderStatusError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { ProviderApiClient, type TokenSource } from "../items/provider_api.ts";
import type { Pacer } from "../pacing/pacer.ts";
import type { ActiveProvider } from "../providers/registry.ts";

/** What connect-time calls need: the hub's one pacer and the request path's bounds. */
export interface ConnectCallDeps {
  pacer: Pacer;
  sleep: (ms: number) => Promise<void>;
  clock: () => number;
  /** One call with its retries (PROVIDER_CALL_TIMEOUT_MS). */
  callTimeoutMs?: number;
  /** Longest wait for a rate-limit slot (RATE_LIMIT_WAIT_MS): a user waits for the answer. */
  rateLimitWaitMs?: number;
  log?: Logger;
}

export function connectApi(
  provider: ActiveProvider,
  connection: Connection,
  deps: ConnectCallDeps,
): ProviderApi {
  const issued: TokenSource = {
    isDue: () => false,
    isExpired: () => false,
    usable: () =>
      Promise.reject(
        new ProviderStatusError(
          `${provider.spec.displayName} rejected the access token it had just issued.`,
          401,
          null,
        ),
      ),
  };
  return new ProviderApiClient({
    provider,
    connection,
    keeper: issued,
    pacer: deps.pacer.session(),
    sleep: deps.sleep,
    clock: deps.clock,
    callTimeoutMs: deps.callTimeoutMs,
    rateLimitWaitMs: deps.rateLimitWaitMs,
    log: deps.log,
  });
}
