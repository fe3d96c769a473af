import type { Context, MiddlewareHandler } from "hono";
import { timingSafeEqual } from "hono/utils/buffer";
import type { Owner } from "../connections/connections.ts";
import { ForbiddenError, InvalidRequestError, UnauthenticatedError } from "../errors.ts";
import type { OwnerFields } from "./identity.ts";
import { readSession, type SessionSettings } from "./session.ts";

/** Who is calling: a program with an API key, or a browser with a session. */
export type Caller = { kind: "api_key" } | { kind: "session"; owner: Owner };

/** The part of a request's context that identifying a caller reads and writes. */
export interface CallerEnv {
  Variables: {
    services: { config: { apiKeys: readonly string[] }; session: SessionSettings };
    caller: Caller | null;
  };
}

/** Works out who is calling (API key or session cookie) and keeps it on the context. */
export function identifyCaller(): MiddlewareHandler<CallerEnv> {
  return async (c, next) => {
    c.set("caller", await callerOf(c));
    await next();
  };
}

async function callerOf(c: Context<CallerEnv>): Promise<Caller | null> {
  const { config, session } = c.get("services");
  const header = c.req.header("Authorization");
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null) throw new UnauthenticatedError('Authorization must be "Bearer <API key>".');
    for (const key of config.apiKeys) {
      if (await timingSafeEqual(key, match[1])) return { kind: "api_key" };
    }
    throw new UnauthenticatedError("The API key is not valid.");
  }
  const owner = await readSession(c, session);
  return owner === null ? null : { kind: "session", owner };
}

/**
 * The user and org a request acts for. Programs name them; a session may leave them out, and
 * when it names them they must be its own.
 */
export function ownerFor(c: { get(key: "caller"): Caller | null }, fields: OwnerFields): Owner {
  const caller = c.get("caller");
  if (caller === null) {
    throw new UnauthenticatedError(
      'Sign in first, or call with "Authorization: Bearer <API key>".',
    );
  }
  if (caller.kind === "api_key") {
    const missing = [
      fields.user_id === undefined ? "user_id" : null,
      fields.org_id === undefined ? "org_id" : null,
    ].filter((f) => f !== null);
    if (missing.length > 0) {
      throw new InvalidRequestError(`Invalid request. Missing ${missing.join(" and ")}.`);
    }
    return { userId: fields.user_id!, orgId: fields.org_id! };
  }
  const own = caller.owner;
  if (
    (fields.user_id !== undefined && fields.user_id !== own.userId) ||
    (fields.org_id !== undefined && fields.org_id !== own.orgId)
  ) {
    throw new ForbiddenError("This session may only act for its own user and org.");
  }
  return own;
}
