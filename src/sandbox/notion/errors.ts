/** Notion's error envelope, and injected faults answered in it. */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { InjectedFault } from "./state.ts";

const DEFAULT_CODES: Record<number, [string, string]> = {
  400: ["invalid_request", "Invalid request."],
  401: ["unauthorized", "API token is invalid."],
  403: ["restricted_resource", "API token does not have access to this resource."],
  404: ["object_not_found", "Could not find object."],
  409: ["conflict_error", "Conflict occurred while saving. Please try again."],
  429: ["rate_limited", "You have been rate limited. Please try again in a few minutes."],
  500: ["internal_server_error", "Unexpected error occurred."],
  502: ["bad_gateway", "Bad gateway."],
  503: ["service_unavailable", "Notion is unavailable, please try again later."],
  504: ["gateway_timeout", "Gateway timeout."],
  529: ["service_overload", "Notion is currently overloaded. Please try again later."],
};

export function requestId(): string {
  return crypto.randomUUID();
}

/** Notion's error envelope: `{object:"error", status, code, message, request_id}`. */
export function notionError(
  c: Context,
  status: number,
  code?: string,
  message?: string,
  headers: Record<string, string> = {},
): Response {
  const [defaultCode, defaultMessage] = DEFAULT_CODES[status] ??
    ["internal_server_error", "Error."];
  const id = requestId();
  return c.json(
    {
      object: "error",
      status,
      code: code ?? defaultCode,
      message: message ?? defaultMessage,
      request_id: id,
    },
    status as ContentfulStatusCode,
    { "x-notion-request-id": id, ...headers },
  );
}

/** Answers an injected fault, with Notion's envelope unless the test gave a body. */
export function faultResponse(c: Context, fault: InjectedFault): Response {
  if (fault.body === undefined) {
    return notionError(c, fault.status, undefined, undefined, fault.headers);
  }
  return c.json(fault.body as object, fault.status as ContentfulStatusCode, fault.headers);
}
