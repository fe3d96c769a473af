import assert from "node:assert/strict";
import { Hono } from "hono";
import { ConnectionBusyError, ProviderRateLimitedError } from "../errors.ts";
import type { HubEnv } from "../services.ts";
import { handleError } from "./errors.tsx";

/** An app whose only route fails with `error`, answered as a page when `html`. */
function failingWith(error: Error, html: boolean): Hono<HubEnv> {
  const app = new Hono<HubEnv>();
  app.use((c, next) => {
    c.set("htmlErrors", html);
    return next();
  });
  app.get("/", () => {
    throw error;
  });
  app.onError(handleError);
  return app;
}

for (const html of [false, true]) {
  const as = html ? "a page" : "JSON";
  Deno.test(`a rate-limited error's Retry-After reaches the answer (${as})`, async () => {
    const error = new ProviderRateLimitedError("HubSpot is rate limiting; try again.", 2.2);
    const response = await failingWith(error, html).request("/");
    assert.equal(response.status, 503);
    assert.equal(response.headers.get("Retry-After"), "3");
    const body = await response.text();
    assert.match(body, /HubSpot is rate limiting; try again\./);
    if (!html) assert.equal(JSON.parse(body).error.code, "provider_rate_limited");
  });
}

Deno.test("Retry-After is at least one second, and a busy connection carries its own", async () => {
  const limited = await failingWith(new ProviderRateLimitedError("wait", 0), false).request("/");
  assert.equal(limited.headers.get("Retry-After"), "1");
  const busy = await failingWith(new ConnectionBusyError("busy"), false).request("/");
  assert.equal(busy.status, 503);
  assert.equal(busy.headers.get("Retry-After"), "5");
  assert.equal((await busy.json()).error.code, "connection_busy");
});
