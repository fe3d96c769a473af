import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { PayloadTooLargeError } from "../errors.ts";
import type { HubEnv } from "../services.ts";

/** Sign-in, connect and disconnect forms and POST /api/sessions carry a few short fields. */
export const SMALL_BODY_BYTES = 16 * 1024;

/**
 * Refuses a body over `maxBytes` with 413: at once when Content-Length says so, else while
 * reading (a chunked body is cut off there), so a large body is never held whole. The error is
 * answered as JSON or as a page, like every other error of the route.
 */
export function limitBody(maxBytes: number): MiddlewareHandler<HubEnv> {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new PayloadTooLargeError(
        `The request body is larger than ${
          Math.round(maxBytes / 1024)
        } KB, the most this address accepts. Send less.`,
      );
    },
  });
}
