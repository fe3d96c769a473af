/** Deno side only: serves static/ in front of the hub (Workers use the assets binding instead). */
import { Hono } from "hono";
import { serveStatic } from "hono/deno";
import type { HubEnv } from "./services.ts";

const PROJECT_ROOT = new URL("..", import.meta.url).pathname;

export function withStaticFiles(hub: Hono<HubEnv>): Hono {
  const root = new Hono();
  root.use("/static/*", serveStatic({ root: PROJECT_ROOT }));
  root.route("/", hub);
  return root;
}
