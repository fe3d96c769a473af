import type { Context, MiddlewareHandler } from "hono";
import { ownerFor } from "../auth/callers.ts";
import type { OwnerFields } from "../auth/identity.ts";
import type { Owner } from "../connections/connections.ts";
import { UnauthenticatedError } from "../errors.ts";
import { type ActiveProvider, resolveProvider } from "../providers/registry.ts";
import type { HubEnv } from "../services.ts";

/**
 * The shared opening of every JSON API route: errors answer as JSON, a caller is required
 * (401 before any input is looked at), and under /{provider} the provider is resolved (404).
 */
export function apiRoute(): MiddlewareHandler<HubEnv> {
  return async (c, next) => {
    c.set("htmlErrors", false);
    if (c.get("caller") === null) {
      throw new UnauthenticatedError(
        'Sign in first, or call with "Authorization: Bearer <API key>".',
      );
    }
    const name = c.req.param("provider");
    if (name !== undefined) c.set("provider", resolveProvider(c.get("services"), name));
    await next();
  };
}

/** A JSON API route that a caller may use without credentials (/health). */
export function openApiRoute(): MiddlewareHandler<HubEnv> {
  return async (c, next) => {
    c.set("htmlErrors", false);
    await next();
  };
}

/** The provider and owner of a validated request. */
export function providerAndOwner(
  c: Context<HubEnv>,
  query: OwnerFields,
): { provider: ActiveProvider; owner: Owner } {
  const provider = c.get("provider");
  if (provider === undefined) throw new Error("providerAndOwner() outside a provider route");
  return { provider, owner: ownerFor(c, query) };
}
