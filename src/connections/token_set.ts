import { z } from "zod";
import { ProviderError } from "../errors.ts";
import type { TokenSet } from "./connections.ts";

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).nullish(),
  expires_in: z.coerce.number().positive().nullish(),
});

/**
 * Reads a token endpoint answer into a token set. A provider that sends no new refresh token
 * keeps the previous one; a missing expires_in is kept as unknown (null), not "never expires".
 */
export function readTokenSet(
  response: Record<string, unknown>,
  previousRefreshToken: string | null,
  now: number,
): TokenSet {
  const parsed = tokenResponseSchema.safeParse(response);
  if (!parsed.success) {
    throw new ProviderError("The provider's token answer was not understood (no access token).");
  }
  const t = parsed.data;
  return {
    accessToken: t.access_token,
    refreshToken: t.refresh_token ?? previousRefreshToken,
    expiresAt: t.expires_in ? now + t.expires_in * 1000 : null,
    obtainedAt: now,
  };
}
