/** Airtable's error bodies, as its API and token endpoint send them. */
import type { InjectedFault } from "./state.ts";

type Status = 400 | 401 | 403 | 404 | 422 | 429;

function json(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...headers },
  });
}

/** `{"error":{"type","message"}}`, the Web API's usual envelope. */
export function apiError(status: Status, type: string, message?: string): Response {
  return json({ error: message === undefined ? { type } : { type, message } }, status);
}

export const authenticationRequired = (): Response =>
  apiError(401, "AUTHENTICATION_REQUIRED", "Authentication required");

/** Also what a base or table the token cannot see answers: Airtable does not tell them apart. */
export const invalidPermissions = (): Response =>
  apiError(
    403,
    "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND",
    "Invalid permissions, or the requested model was not found. Check that both your user and " +
      "your token have the required permissions, and that the model names and/or ids are correct.",
  );

export const invalidRequest = (message?: string): Response =>
  apiError(
    422,
    "INVALID_REQUEST_UNKNOWN",
    message ?? "Invalid request: parameter validation failed. Check your request data.",
  );

/** The 429 body seen in the wild: an `errors` array, unlike every other error. */
export const rateLimited = (): Response =>
  json({
    errors: [{
      error: "RATE_LIMIT_REACHED",
      message: "Rate limit exceeded. Please try again later",
    }],
  }, 429);

/** Unknown routes: Airtable answers a bare string error. */
export const routeNotFound = (): Response => json({ error: "NOT_FOUND" }, 404);

/** RFC 6749 token endpoint errors: 401 for client authentication, 400 otherwise. */
export function oauthError(status: 400 | 401, error: string, description: string): Response {
  return json({ error, error_description: description }, status, {
    "Cache-Control": "no-store",
  });
}

export function faultResponse(fault: InjectedFault): Response {
  const body = fault.body === undefined ? "" : JSON.stringify(fault.body);
  const headers: Record<string, string> = { ...fault.headers };
  if (fault.body !== undefined) headers["Content-Type"] ??= "application/json; charset=utf-8";
  const status = fault.status >= 200 && fault.status <= 599 ? fault.status : 500;
  return new Response([204, 304].includes(status) ? null : body, { status, headers });
}

export { json as jsonResponse };
