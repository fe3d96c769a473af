import type { Context } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import { z } from "zod";
import type { Owner } from "../connections/connections.ts";
import { parseJson } from "../json.ts";

export const SESSION_COOKIE = "hub_session";
/** A working day: long enough not to nag, short enough that a forgotten browser expires. */
export const SESSION_TTL_SECONDS = 8 * 60 * 60;

const sessionSchema = z.object({ u: z.string(), o: z.string(), exp: z.number() });

export interface SessionSettings {
  secret: string;
  secure: boolean;
  clock: () => number;
}

/** Opens a browser session for one user and org: a signed, HttpOnly, SameSite=Lax cookie. */
export async function startSession(
  c: Context,
  settings: SessionSettings,
  owner: Owner,
): Promise<void> {
  const exp = Math.floor(settings.clock() / 1000) + SESSION_TTL_SECONDS;
  const value = JSON.stringify({ u: owner.userId, o: owner.orgId, exp });
  await setSignedCookie(c, SESSION_COOKIE, value, settings.secret, {
    httpOnly: true,
    secure: settings.secure,
    sameSite: "Lax",
    path: "/",
    maxAge: SESSION_TTL_SECONDS,
  });
}

/** The session's owner, or null when there is no cookie or it is forged or expired. */
export async function readSession(c: Context, settings: SessionSettings): Promise<Owner | null> {
  let raw: string | false | undefined;
  try {
    raw = await getSignedCookie(c, settings.secret, SESSION_COOKIE);
  } catch {
    return null;
  }
  if (typeof raw !== "string") return null;
  const parsed = sessionSchema.safeParse(parseJson(raw));
  if (!parsed.success || parsed.data.exp * 1000 <= settings.clock()) return null;
  return { userId: parsed.data.u, orgId: parsed.data.o };
}

export function endSession(c: Context, settings: SessionSettings): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: settings.secure });
}
