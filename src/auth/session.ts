import type { Context } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import { z } from "zod";
import { encodeBase64Url } from "../base64url.ts";
import type { Owner } from "../connections/connections.ts";
import { parseJson } from "../json.ts";
import { keys } from "../store/keys.ts";
import type { Store } from "../store/store.ts";

export const SESSION_COOKIE = "hub_session";
/** A working day: long enough not to nag, short enough that a forgotten browser expires. */
export const SESSION_TTL_SECONDS = 8 * 60 * 60;

const cookieSchema = z.object({ s: z.string().regex(/^[A-Za-z0-9_-]{22,64}$/), exp: z.number() });
const recordSchema = z.object({ userId: z.string(), orgId: z.string() });

export interface SessionSettings {
  secret: string;
  secure: boolean;
  clock: () => number;
  /** Holds each open session: a cookie works only while its record is there. */
  store: Store;
}

/**
 * Opens a browser session for one user and org: a record in the store under a random id, and
 * a signed, HttpOnly, SameSite=Lax cookie naming that id, so signing out ends it everywhere.
 */
export async function startSession(
  c: Context,
  settings: SessionSettings,
  owner: Owner,
): Promise<void> {
  const id = encodeBase64Url(crypto.getRandomValues(new Uint8Array(24)));
  const exp = Math.floor(settings.clock() / 1000) + SESSION_TTL_SECONDS;
  await settings.store.set(keys.session(id), JSON.stringify(owner), {
    ttlMs: SESSION_TTL_SECONDS * 1000,
  });
  await setSignedCookie(c, SESSION_COOKIE, JSON.stringify({ s: id, exp }), settings.secret, {
    httpOnly: true,
    secure: settings.secure,
    sameSite: "Lax",
    path: "/",
    maxAge: SESSION_TTL_SECONDS,
  });
}

/**
 * The session's owner, or null when there is no cookie, it is forged or expired, or the
 * session was ended. One store read; callers keep the answer for the request.
 */
export async function readSession(c: Context, settings: SessionSettings): Promise<Owner | null> {
  const id = await sessionId(c, settings);
  if (id === null) return null;
  const raw = await settings.store.get(keys.session(id));
  const record = recordSchema.safeParse(raw === null ? null : parseJson(raw));
  return record.success ? { userId: record.data.userId, orgId: record.data.orgId } : null;
}

/** Ends the session: its record goes (a copied cookie stops working) and so does the cookie. */
export async function endSession(c: Context, settings: SessionSettings): Promise<void> {
  const id = await sessionId(c, settings);
  if (id !== null) await settings.store.delete(keys.session(id));
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: settings.secure });
}

async function sessionId(c: Context, settings: SessionSettings): Promise<string | null> {
  let raw: string | false | undefined;
  try {
    raw = await getSignedCookie(c, settings.secret, SESSION_COOKIE);
  } catch {
    return null;
  }
  if (typeof raw !== "string") return null;
  const parsed = cookieSchema.safeParse(parseJson(raw));
  if (!parsed.success || parsed.data.exp * 1000 <= settings.clock()) return null;
  return parsed.data.s;
}
