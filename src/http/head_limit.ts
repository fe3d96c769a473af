import type { MiddlewareHandler } from "hono";
import { HeadersTooLargeError, UriTooLongError } from "../errors.ts";
import type { HubEnv } from "../services.ts";

/** No hub URL comes near this: long cursors are handed out as short references. */
export const MAX_URL_BYTES = 8 * 1024;
/** Room for cookies and proxies' headers; Deno itself refuses a request head over 64 KiB. */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * Refuses an oversized URL (414) or set of headers (431) with the error envelope, before any
 * route runs: as a page when the caller asks for HTML, else as JSON.
 */
export function limitRequestHead(): MiddlewareHandler<HubEnv> {
  return async (c, next) => {
    const url = new URL(c.req.url);
    const urlBytes = url.pathname.length + url.search.length;
    let headerBytes = 0;
    for (const [name, value] of c.req.raw.headers) headerBytes += name.length + value.length + 4;
    if (urlBytes > MAX_URL_BYTES || headerBytes > MAX_HEADER_BYTES) {
      c.set("htmlErrors", c.req.header("Accept")?.includes("text/html") ?? false);
      if (urlBytes > MAX_URL_BYTES) {
        throw new UriTooLongError(
          `The address is longer than ${MAX_URL_BYTES / 1024} KB, the most the hub accepts.`,
        );
      }
      throw new HeadersTooLargeError(
        `The request headers are larger than ${
          MAX_HEADER_BYTES / 1024
        } KB, the most the hub accepts; clear this site's cookies or send fewer headers.`,
      );
    }
    await next();
  };
}
