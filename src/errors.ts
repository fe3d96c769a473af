import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * A failure the hub explains to its caller: a stable snake_case code, an HTTP status and a
 * human message that says what went wrong and what to do. Messages never carry secrets.
 */
export abstract class HubError extends Error {
  abstract readonly code: string;
  abstract readonly status: ContentfulStatusCode;
  /** Extra response headers (Retry-After). */
  readonly headers: Record<string, string> = {};
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class InvalidRequestError extends HubError {
  readonly code = "invalid_request";
  readonly status = 400;
}

export class InvalidStateError extends HubError {
  readonly code = "invalid_state";
  readonly status = 400;
}

export class UnauthenticatedError extends HubError {
  readonly code = "unauthenticated";
  readonly status = 401;
}

export class ForbiddenError extends HubError {
  readonly code = "forbidden";
  readonly status = 403;
}

export class NotFoundError extends HubError {
  readonly code = "not_found";
  readonly status = 404;
}

export class UnknownProviderError extends HubError {
  readonly code = "unknown_provider";
  readonly status = 404;
  /** `known`: the registry's provider ids, which the message lists. */
  constructor(provider: string, known: readonly string[]) {
    super(
      `There is no provider named "${provider.slice(0, 40)}". Use one of: ${known.join(", ")}.`,
    );
  }
}

export class NotConnectedError extends HubError {
  readonly code = "not_connected";
  readonly status = 409;
}

export class ReconnectRequiredError extends HubError {
  readonly code = "reconnect_required";
  readonly status = 409;
}

/** The provider refused or failed in a way the caller cannot fix by retrying at once. */
export class ProviderError extends HubError {
  readonly code = "provider_error";
  readonly status = 502;
}

/**
 * A provider's refusal with its status and parsed body, so a provider module can react to a
 * specific answer (Airtable's expired list iterator). The message never includes the body.
 */
export class ProviderStatusError extends ProviderError {
  constructor(message: string, readonly httpStatus: number, readonly body: unknown) {
    super(message);
  }
}

/** The provider did not answer within the hub's bound (PROVIDER_*_TIMEOUT_MS). */
export class ProviderTimeoutError extends HubError {
  readonly code = "provider_timeout";
  readonly status = 504;
}

/** A known path asked with a method it does not answer; `Allow` lists the ones it does. */
export class MethodNotAllowedError extends HubError {
  readonly code = "method_not_allowed";
  readonly status = 405;
  constructor(message: string, allowed: readonly string[]) {
    super(message);
    this.headers["Allow"] = allowed.join(", ");
  }
}

/** A body in a format the route does not read (POST /api/sessions reads JSON). */
export class UnsupportedMediaTypeError extends HubError {
  readonly code = "unsupported_media_type";
  readonly status = 415;
}

/** A request body over its route's limit; refused while reading, before it is held whole. */
export class PayloadTooLargeError extends HubError {
  readonly code = "payload_too_large";
  readonly status = 413;
}

/** A URL over the hub's limit (longer ones never reach the app: Deno refuses them). */
export class UriTooLongError extends HubError {
  readonly code = "uri_too_long";
  readonly status = 414;
}

/** Request headers over the hub's limit (larger ones never reach the app: Deno refuses them). */
export class HeadersTooLargeError extends HubError {
  readonly code = "headers_too_large";
  readonly status = 431;
}

export class ProviderRateLimitedError extends HubError {
  readonly code = "provider_rate_limited";
  readonly status = 503;
  constructor(message: string, readonly retryAfterSeconds: number, options?: { cause?: unknown }) {
    super(message, options);
    this.headers["Retry-After"] = String(Math.max(1, Math.ceil(retryAfterSeconds)));
  }
}

/** About how long the slowest refresh holds a connection's lock (its retries end within 20 s). */
const CONNECTION_BUSY_RETRY_S = 5;

/**
 * The hub's own work on a connection (another request refreshing its token or disconnecting it)
 * did not finish within the hub's wait; nothing failed at the provider.
 */
export class ConnectionBusyError extends HubError {
  readonly code = "connection_busy";
  readonly status = 503;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.headers["Retry-After"] = String(CONNECTION_BUSY_RETRY_S);
  }
}

export class ProviderNotConfiguredError extends HubError {
  readonly code = "provider_not_configured";
  readonly status = 503;
}

export class StoreError extends HubError {
  readonly code = "store_unavailable";
  readonly status = 503;
}

/** The JSON error body of the contract. */
export function errorBody(code: string, message: string): {
  error: { code: string; message: string };
} {
  return { error: { code, message } };
}
