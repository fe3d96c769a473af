/** Deno side only: serves static/ in front of the hub (Workers use the assets binding instead). */
import { Hono } from "hono";
import { serveStatic } from "hono/deno";
import { etag } from "hono/etag";
import { STATIC_CACHE_CONTROL } from "./http/static_cache.ts";
import type { HubEnv } from "./services.ts";

const PROJECT_ROOT = new URL("..", import.meta.url).pathname;

export function withStaticFiles(hub: Hono<HubEnv>): Hono {
  const root = new Hono();
  root.use("/static/*", etag(), async (c, next) => {
    await next();
    if (c.res.status !== 200) return;
    c.header("Cache-Control", STATIC_CACHE_CONTROL);
    const modified = await lastModified(c.req.path);
    if (modified !== null) c.header("Last-Modified", modified);
  }, serveStatic({ root: PROJECT_ROOT }));
  // Handed over whole (not merged as routes), so the hub's own 404 and 405 answer the rest.
  root.mount("/", hub.fetch);
  return root;
}

async function lastModified(path: string): Promise<string | null> {
  try {
    const { mtime } = await Deno.stat(`${PROJECT_ROOT}${decodeURIComponent(path).slice(1)}`);
    return mtime === null ? null : mtime.toUTCString();
  } catch {
    return null;
  }
}
