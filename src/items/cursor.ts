import { z } from "zod";
import { decodeBase64Url, encodeBase64Url } from "../base64url.ts";
import type { Owner } from "../connections/connections.ts";
import { InvalidRequestError } from "../errors.ts";
import { parseJson } from "../json.ts";
import type { ChainPosition } from "../contract/chains.ts";
import { keys } from "../store/keys.ts";
import type { Store } from "../store/store.ts";

/** Cursors longer than this are kept in the store and handed out as a short reference. */
export const INLINE_CURSOR_MAX = 2000;
/** How long a stored cursor can be resumed: long enough for a slow client's paging. */
export const STORED_CURSOR_TTL_MS = 60 * 60 * 1000;
const STORED_PREFIX = "s.";

const cursorSchema = z.object({
  v: z.literal(1),
  p: z.string(),
  c: z.array(z.object({
    chain: z.string().max(200),
    cursor: z.string().max(2000).nullable(),
    context: z.record(z.string().max(100), z.string().max(1000)).optional(),
    group: z.string().max(200).optional(),
  })).min(1).max(1000),
});

/** The listing's remaining chains, as an opaque URL-safe string bound to one provider. */
export function encodeCursor(provider: string, positions: ChainPosition[]): string {
  const json = JSON.stringify({ v: 1, p: provider, c: positions });
  return encodeBase64Url(new TextEncoder().encode(json));
}

/**
 * A cursor for the remaining chains: inline (self-contained) when short, else stored under a
 * random id bound to the provider and owner (a large Airtable listing carries many chains).
 */
export async function issueCursor(
  store: Store,
  provider: string,
  owner: Owner,
  positions: ChainPosition[],
): Promise<string> {
  const inline = encodeCursor(provider, positions);
  if (inline.length <= INLINE_CURSOR_MAX) return inline;
  const id = crypto.randomUUID();
  const record = JSON.stringify({ owner, cursor: inline });
  await store.set(keys.listingCursor(id), record, { ttlMs: STORED_CURSOR_TTL_MS });
  return STORED_PREFIX + id;
}

/** Reads a cursor issued by issueCursor; a stored one only for the owner it was issued to. */
export async function resolveCursor(
  store: Store,
  provider: string,
  owner: Owner,
  cursor: string,
): Promise<ChainPosition[]> {
  if (!cursor.startsWith(STORED_PREFIX)) return decodeCursor(provider, cursor);
  const id = cursor.slice(STORED_PREFIX.length);
  const raw = /^[0-9a-f-]{36}$/.test(id) ? await store.get(keys.listingCursor(id)) : null;
  const parsed = z.object({
    owner: z.object({ userId: z.string(), orgId: z.string() }),
    cursor: z.string(),
  }).safeParse(raw === null ? null : parseJson(raw));
  if (
    !parsed.success || parsed.data.owner.userId !== owner.userId ||
    parsed.data.owner.orgId !== owner.orgId
  ) {
    throw new InvalidRequestError(
      "cursor: unknown or expired (long listings' cursors last an hour); start the listing again.",
    );
  }
  return decodeCursor(provider, parsed.data.cursor);
}

export function decodeCursor(provider: string, cursor: string): ChainPosition[] {
  let json: unknown;
  try {
    json = parseJson(new TextDecoder().decode(decodeBase64Url(cursor)));
  } catch {
    json = undefined;
  }
  const parsed = cursorSchema.safeParse(json);
  if (!parsed.success || parsed.data.p !== provider) {
    throw new InvalidRequestError(
      "cursor: not a cursor this hub gave for this provider; use next_cursor from the previous page as it is.",
    );
  }
  return parsed.data.c;
}
