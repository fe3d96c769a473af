/** HubSpot's answer shapes for errors, and the responses tests inject in their place. */
import type { InjectedFault } from "./state.ts";

export function correlationId(): string {
  return crypto.randomUUID();
}

export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json;charset=utf-8", ...headers },
  });
}

/** The API error envelope: `{status:"error", message, correlationId, category, ...}`. */
export function apiError(
  status: number,
  category: string,
  message: string,
  headers: Record<string, string>,
  extra: Record<string, unknown> = {},
): Response {
  const correlation = headers["X-HubSpot-Correlation-Id"] ?? correlationId();
  return jsonResponse(
    status,
    { status: "error", message, correlationId: correlation, category, ...extra },
    headers,
  );
}

/** OAuth errors carry the RFC 6749 fields and HubSpot's legacy `status`/`message` together. */
export function oauthError(
  status: 400 | 401,
  error: string,
  legacyStatus: string,
  message: string,
): Response {
  return jsonResponse(status, {
    error,
    error_description: message,
    status: legacyStatus,
    message,
    correlationId: correlationId(),
  }, { "Cache-Control": "no-store" });
}

const NULL_BODY_STATUSES = [204, 205, 304];

/** An injected fault as a response: JSON unless the body is a string; its headers win. */
export function faultResponse(fault: InjectedFault, headers: Record<string, string>): Response {
  const text = typeof fault.body === "string";
  const merged = new Headers({
    ...headers,
    "Content-Type": text ? "text/plain;charset=utf-8" : "application/json;charset=utf-8",
  });
  for (const [name, value] of Object.entries(fault.headers ?? {})) merged.set(name, value);
  const body = NULL_BODY_STATUSES.includes(fault.status) || fault.body === undefined
    ? null
    : text
    ? String(fault.body)
    : JSON.stringify(fault.body);
  return new Response(body, { status: fault.status, headers: merged });
}

/** Injected faults must be answers a server could send (2xx to 5xx). */
export function checkFault(fault: InjectedFault): void {
  if (!Number.isInteger(fault.status) || fault.status < 200 || fault.status > 599) {
    throw new RangeError(`failNext: status ${fault.status} is not an HTTP answer status`);
  }
}
