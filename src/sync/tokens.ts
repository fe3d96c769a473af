/**
 * The opaque tokens the sync's reads hand out: a copy cursor (where a listing of the copy
 * continues, bound to its provider and filters) and a changes reader's `next_since`.
 */
import { z } from "zod";
import { decodeBase64Url, encodeBase64Url } from "../base64url.ts";
import { InvalidRequestError } from "../errors.ts";
import { parseJson } from "../json.ts";
import type { CopyPosition } from "./copy.ts";
import { type CopyFilters, isFiltered } from "./filters.ts";

export const COPY_CURSOR_PREFIX = "c.";
const copyCursorSchema = z.object({
  v: z.literal(1),
  p: z.string(),
  g: z.number().int().min(1),
  c: z.number().int().min(0),
  o: z.number().int().min(0),
  /** Items per chunk read so far (CopyPosition.perChunk). */
  a: z.number().int().min(1).optional(),
  f: z.string(),
});
/** Where a changes reader stands: in the log ("l"), or still paging a copy ("s"). */
const sinceSchema = z.object({
  v: z.literal(1),
  p: z.string(),
  k: z.enum(["l", "s"]),
  g: z.number().int().min(0),
  c: z.number().int().min(0),
  o: z.number().int().min(0),
});
export type Since = z.infer<typeof sinceSchema>;

/** What a cursor is bound to of its filters ("" unfiltered). */
export function filterSignature(filters: CopyFilters): string {
  if (!isFiltered(filters)) return "";
  return JSON.stringify([[...filters.types].sort(), filters.q, filters.modifiedAfter]);
}

export function copyCursor(
  provider: string,
  generation: number,
  at: CopyPosition,
  signature: string,
): string {
  const json = JSON.stringify({
    v: 1,
    p: provider,
    g: generation,
    c: at.chunk,
    o: at.offset,
    a: at.perChunk,
    f: signature,
  });
  return COPY_CURSOR_PREFIX + encodeBase64Url(new TextEncoder().encode(json));
}

export function readCopyCursor(
  provider: string,
  cursor: string,
  signature: string,
): z.infer<typeof copyCursorSchema> {
  const parsed = copyCursorSchema.safeParse(decodeJson(cursor.slice(COPY_CURSOR_PREFIX.length)));
  if (!parsed.success || parsed.data.p !== provider) {
    throw new InvalidRequestError(
      "cursor: not a cursor this hub gave for this provider; use next_cursor from the previous page as it is.",
    );
  }
  if (parsed.data.f !== signature) {
    throw new InvalidRequestError(
      "cursor: it was given for other filters; repeat the same type, q and modified_after.",
    );
  }
  return parsed.data;
}

export function sinceToken(since: Since): string {
  return encodeBase64Url(new TextEncoder().encode(JSON.stringify(since)));
}

export function readSince(provider: string, since: string): Since {
  const parsed = sinceSchema.safeParse(decodeJson(since));
  if (!parsed.success || parsed.data.p !== provider) {
    throw new InvalidRequestError(
      "since: not a next_since this hub gave for this provider; use it as it was given.",
    );
  }
  return parsed.data;
}

function decodeJson(text: string): unknown {
  try {
    return parseJson(new TextDecoder().decode(decodeBase64Url(text)));
  } catch {
    return undefined;
  }
}
