import { z } from "zod";
import { InvalidRequestError } from "../errors.ts";
import { parseJson } from "../json.ts";
import type { ChainPosition } from "../providers/spec.ts";

const cursorSchema = z.object({
  v: z.literal(1),
  p: z.string(),
  c: z.array(z.object({
    chain: z.string().max(200),
    cursor: z.string().max(2000).nullable(),
    context: z.record(z.string().max(100), z.string().max(1000)).optional(),
  })).min(1).max(1000),
});

/** The listing's remaining chains, as an opaque URL-safe string bound to one provider. */
export function encodeCursor(provider: string, positions: ChainPosition[]): string {
  const json = JSON.stringify({ v: 1, p: provider, c: positions });
  const bytes = new TextEncoder().encode(json);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function decodeCursor(provider: string, cursor: string): ChainPosition[] {
  let json: unknown;
  try {
    const binary = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
    json = parseJson(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
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
