/** The answers the OpenAPI document lists per route: the success and every error it can give. */
import type { z } from "@hono/zod-openapi";
import { errorSchema } from "./api_schemas.ts";

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "invalid_request: a bad, missing, repeated or unknown parameter (the message names it)",
  401: "unauthenticated: no valid API key or session",
  403: "forbidden: a session naming another user or org, or a cross-site form post",
  404: "unknown_provider: no provider by that name",
  409: "not_connected or reconnect_required; not_synced for changes before the first sync",
  410: "since_expired: since is older than the history kept (7 days)",
  413: "payload_too_large: the body is over the route's limit",
  414: "uri_too_long: the URL is over 8 KB",
  415: "unsupported_media_type: the body is not JSON",
  431: "headers_too_large: the request headers are over 16 KB",
  500: "internal_error: a fault in the hub (logged)",
  502: "provider_error: the provider refused or failed",
  503: "store_unavailable, provider_not_configured, or provider_rate_limited (with Retry-After)",
  504: "provider_timeout: the provider did not answer in time",
};

/** Every route can answer these (its input, its caller, its request size, the store). */
const COMMON = [400, 401, 403, 414, 431, 500, 503];

type ErrorResponses = Record<number, {
  description: string;
  content: { "application/json": { schema: typeof errorSchema } };
}>;

/** The error answers of a route: the common ones plus `extra`. */
export function errorResponses(...extra: number[]): ErrorResponses {
  const statuses = [...new Set([...COMMON, ...extra])].sort((a, b) => a - b);
  return Object.fromEntries(statuses.map((status) => [status, {
    description: ERROR_DESCRIPTIONS[status],
    content: { "application/json": { schema: errorSchema } },
  }]));
}

/** A JSON success answer. */
export function jsonAnswer<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** Either credential: a program's API key or a browser's session cookie. */
export const EITHER_CALLER: Record<string, string[]>[] = [{ apiKey: [] }, { session: [] }];
