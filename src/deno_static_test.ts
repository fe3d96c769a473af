import assert from "node:assert/strict";
import { Hono } from "hono";
import { withStaticFiles } from "./deno_static.ts";
import { STATIC_CACHE_CONTROL } from "./http/static_cache.ts";
import type { HubEnv } from "./services.ts";

const hub = new Hono<HubEnv>();
hub.get("/", (c) => c.text("hub"));
hub.notFound((c) => c.json({ error: { code: "not_found", message: "hub's own" } }, 404));
const site = withStaticFiles(hub);

Deno.test("static files are kept a day and then revalidated with their ETag", async () => {
  const first = await site.request("/static/app.css");
  assert.equal(first.status, 200);
  assert.equal(first.headers.get("cache-control"), STATIC_CACHE_CONTROL);
  assert.ok(first.headers.get("last-modified"));
  const etag = first.headers.get("etag");
  assert.ok(etag);
  assert.equal(
    await first.text(),
    await Deno.readTextFile(new URL("../static/app.css", import.meta.url)),
  );
  const again = await site.request("/static/app.css", { headers: { "If-None-Match": etag } });
  assert.equal(again.status, 304);
  await again.body?.cancel();
});

Deno.test("anything but a static file is the hub's, with its own 404", async () => {
  assert.equal(await (await site.request("/")).text(), "hub");
  const missing = await site.request("/static/missing.css");
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error.message, "hub's own");
});
