/** What every per-base API route checks first, and errors shared by the API routes. */
import type { Context } from "hono";
import type { AirtableBase } from "./data.ts";
import { apiError, invalidPermissions } from "./errors.ts";
import type { AirtableState } from "./state.ts";

export type ApiEnv = { Variables: { scopes: string[] } };
export type ApiContext = Context<ApiEnv>;

/** The base named in the path, if the token may see it (the limits are checked before). */
export function reachBase(
  state: AirtableState,
  c: ApiContext,
  scope: string,
): AirtableBase | Response {
  const base = state.bases.find((b) => b.id === c.req.param("baseId"));
  if (base === undefined) return invalidPermissions();
  if (!c.get("scopes").includes(scope)) return invalidPermissions();
  return base;
}

export function invalidOffset(offset: string): Response {
  return apiError(
    422,
    "INVALID_OFFSET_VALUE",
    `The value of offset ${offset.slice(0, 80)} is invalid`,
  );
}
