/** Development sign-in and connect links: the sessions they open act only for their own user. */
import assert from "node:assert/strict";
import { APP_URL, errorOf, testApp } from "../testing/route_app.ts";

Deno.test("development sign-in sets a session that acts only for its own user and org", async () => {
  const { app, close } = await testApp();
  try {
    const form = new URLSearchParams({ user_id: "alice", org_id: "acme" }).toString();
    const formHeaders = { "Content-Type": "application/x-www-form-urlencoded" };
    const crossSite = await app.request(`${APP_URL}/login`, {
      method: "POST",
      body: form,
      headers: { ...formHeaders, Origin: "https://evil.example" },
    });
    assert.equal(crossSite.status, 403);

    const login = await app.request(`${APP_URL}/login`, {
      method: "POST",
      body: form,
      headers: { ...formHeaders, Origin: APP_URL },
    });
    assert.equal(login.status, 303);
    const setCookie = login.headers.get("set-cookie") ?? "";
    assert.match(setCookie, /HttpOnly/i);
    assert.match(setCookie, /SameSite=Lax/i);
    const cookie = setCookie.split(";")[0];

    const own = await app.request(`${APP_URL}/integrations/hubspot/status`, {
      headers: { Cookie: cookie },
    });
    assert.equal(own.status, 200);
    const other = await app.request(`${APP_URL}/integrations/hubspot/status?user_id=bob`, {
      headers: { Cookie: cookie },
    });
    assert.equal(other.status, 403);
    const forged = await app.request(`${APP_URL}/integrations/hubspot/status`, {
      headers: { Cookie: cookie.replace(/.$/, (c) => (c === "A" ? "B" : "A")) },
    });
    assert.equal(forged.status, 401);

    const dashboard = await app.request(`${APP_URL}/`, { headers: { Cookie: cookie } });
    assert.equal(dashboard.status, 200);
    const html = await dashboard.text();
    assert.match(html, /^<!DOCTYPE html>/i);
    assert.match(html, /HubSpot/);
    assert.match(dashboard.headers.get("content-security-policy") ?? "", /script-src 'self'/);

    const badLogin = await app.request(`${APP_URL}/login`, {
      method: "POST",
      body: "user_id=&org_id=acme",
      headers: { ...formHeaders, Origin: APP_URL },
    });
    assert.equal(badLogin.status, 400);
    assert.match(await badLogin.text(), /user_id/);
  } finally {
    close();
  }
});

Deno.test("a connect link opens a session once", async () => {
  const { app, api, close } = await testApp();
  try {
    const noKey = await app.request(`${APP_URL}/api/sessions`, { method: "POST" });
    assert.equal(noKey.status, 401);
    const badJson = await api("/api/sessions", {
      method: "POST",
      body: "{",
      headers: { "Content-Type": "application/json" },
    });
    assert.equal(badJson.status, 400);
    const missing = await api("/api/sessions", {
      method: "POST",
      body: JSON.stringify({ user_id: "alice" }),
      headers: { "Content-Type": "application/json" },
    });
    assert.equal(missing.status, 400);
    assert.match((await errorOf(missing)).message, /org_id/);

    const minted = await api("/api/sessions", {
      method: "POST",
      body: JSON.stringify({ user_id: "alice", org_id: "acme" }),
      headers: { "Content-Type": "application/json" },
    });
    assert.equal(minted.status, 201);
    const { url, expires_at } = await minted.json();
    assert.ok(Date.parse(expires_at) > Date.now());
    const opened = await app.request(url);
    assert.equal(opened.status, 303);
    assert.match(opened.headers.get("set-cookie") ?? "", /hub_session=/);
    const again = await app.request(url);
    assert.equal(again.status, 400);
    const forged = await app.request(`${APP_URL}/connect/not-a-real-link-token-at-all`);
    assert.equal(forged.status, 400);
  } finally {
    close();
  }
});
