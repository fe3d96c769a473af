import { z } from "zod";
import { encodeBase64Url } from "../base64url.ts";
import type { Owner } from "../connections/connections.ts";
import { parseJson } from "../json.ts";
import { keys } from "../store/keys.ts";
import type { Store } from "../store/store.ts";

/** Long enough to click an emailed or redirected link; short because it is a bearer secret. */
export const CONNECT_LINK_TTL_MS = 10 * 60 * 1000;

/** What a link's store record holds: whom the browser that opens it signs in as. */
const connectLinkSchema = z.object({ userId: z.string(), orgId: z.string() });

/** Only a token of the shape `mint` makes is looked up in the store. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,100}$/;

/** A one-time link that signs a browser in as `owner`: its token and when it stops working. */
export async function mintConnectLink(
  store: Store,
  owner: Owner,
  now: number,
): Promise<{ token: string; expiresAt: number }> {
  const token = encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  const record: z.infer<typeof connectLinkSchema> = { userId: owner.userId, orgId: owner.orgId };
  await store.set(keys.connectLink(token), JSON.stringify(record), {
    ttlMs: CONNECT_LINK_TTL_MS,
  });
  return { token, expiresAt: now + CONNECT_LINK_TTL_MS };
}

/** Whom a link signs in as, taken once (a second use finds nothing); null for any bad link. */
export async function redeemConnectLink(store: Store, token: string): Promise<Owner | null> {
  if (!TOKEN_SHAPE.test(token)) return null;
  const raw = await store.take(keys.connectLink(token));
  const link = raw === null ? null : connectLinkSchema.safeParse(parseJson(raw));
  return link?.success ? link.data : null;
}
