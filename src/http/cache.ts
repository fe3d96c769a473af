import type { MiddlewareHandler } from "hono";

/**
 * Every answer of the hub carries account data or a session (or could, after a sign-in), so
 * none is kept by a browser or proxy unless its route says otherwise. Static files are served
 * in front of the hub with their own long-lived, validated caching.
 */
export function noStore(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (c.res.headers.has("Cache-Control")) return;
    try {
      c.res.headers.set("Cache-Control", "no-store");
    } catch {
      // A response with immutable headers (one passed through from fetch): copy it.
      c.res = new Response(c.res.body, c.res);
      c.res.headers.set("Cache-Control", "no-store");
    }
  };
}
