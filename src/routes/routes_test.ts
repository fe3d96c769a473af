import assert from "node:assert/strict";
import { createApp } from "../app.ts";
import { loadConfig } from "../config.ts";
import { memoryLogger, TEST_API_KEY } from "../testing/hub.ts";
import { createKvStore } from "../store/kv_store.ts";
import { mountSandboxes } from "../sandbox/mount.ts";

const APP_URL = "http://hub.test";

async function testApp(appUrl = APP_URL) {
  const kv = await Deno.openKv(":memory:");
  const app = createApp({
    config: loadConfig({ APP_URL: appUrl, API_KEYS: TEST_API_KEY }),
    store: createKvStore(kv),
    encryptionKeys: [{ id: "t", key: new Uint8Array(32).fill(3) }],
    sessionSecret: "route-test-session-secret-0123456789",
    log: memoryLogger(),
    mountSandboxes,
  });
  const api = (path: string, init: RequestInit = {}) =>
    app.request(`${APP_URL}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${TEST_API_KEY}`, ...init.headers },
    });
  return { app, api, close: () => kv.close() };
}

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  const body = await response.json();
  assert.equal(typeof body.error.code, "string");
  assert.equal(typeof body.error.message, "string");
  return body.error;
}

Deno.test("API callers need a valid key and must name user and org", async () => {
  const { app, api, close } = await testApp();
  try {
    const anonymous = await app.request(
      `${APP_URL}/integrations/hubspot/status?user_id=a&org_id=o`,
    );
    assert.equal(anonymous.status, 401);
    assert.equal((await errorOf(anonymous)).code, "unauthenticated");

    const wrongKey = await app.request(
      `${APP_URL}/integrations/hubspot/status?user_id=a&org_id=o`,
      {
        headers: { Authorization: "Bearer not-the-key-at-all" },
      },
    );
    assert.equal(wrongKey.status, 401);

    const missing = await api("/integrations/hubspot/status");
    assert.equal(missing.status, 400);
    const error = await errorOf(missing);
    assert.equal(error.code, "invalid_request");
    assert.match(error.message, /user_id: required; org_id: required/);

    const missingOrg = await api("/integrations/hubspot/items?user_id=a");
    assert.match((await errorOf(missingOrg)).message, /org_id/);
  } finally {
    close();
  }
});

Deno.test("unknown providers and bad parameters are clear 4xx errors", async () => {
  const { api, close } = await testApp();
  try {
    const unknown = await api("/integrations/dropbox/status?user_id=a&org_id=o");
    assert.equal(unknown.status, 404);
    assert.deepEqual(await errorOf(unknown), {
      code: "unknown_provider",
      message: 'There is no provider named "dropbox". Use one of: hubspot, airtable, notion.',
    });

    for (const query of ["limit=0", "limit=abc", "limit=5000", "cursor=%21%21"]) {
      const bad = await api(`/integrations/hubspot/items?user_id=a&org_id=o&${query}`);
      assert.equal(bad.status, 400, query);
      assert.equal((await errorOf(bad)).code, "invalid_request");
    }
    const control = await api("/integrations/hubspot/status?user_id=%00&org_id=o");
    assert.equal(control.status, 400);
    const long = await api(`/integrations/hubspot/status?user_id=${"x".repeat(300)}&org_id=o`);
    assert.equal(long.status, 400);
  } finally {
    close();
  }
});

Deno.test("a user with no connection sees not_connected, and items say so with a 409", async () => {
  const { api, close } = await testApp();
  try {
    const status = await api("/integrations/hubspot/status?user_id=a&org_id=o");
    assert.equal(status.status, 200);
    assert.deepEqual(await status.json(), {
      provider: "hubspot",
      status: "not_connected",
      account: null,
      connected_at: null,
      scopes: [],
      last_error: null,
      sync: {
        state: "never",
        started_at: null,
        finished_at: null,
        synced_at: null,
        items: null,
        progress: null,
        last_error: null,
      },
    });
    const items = await api("/integrations/hubspot/items?user_id=a&org_id=o");
    assert.equal(items.status, 409);
    assert.equal((await errorOf(items)).code, "not_connected");
    const all = await api("/integrations?user_id=a&org_id=o");
    const body = await all.json();
    assert.deepEqual(body.integrations.map((i: { provider: string }) => i.provider), [
      "hubspot",
      "airtable",
      "notion",
    ]);
    const removed = await api("/integrations/hubspot?user_id=a&org_id=o", { method: "DELETE" });
    assert.equal(removed.status, 204);
  } finally {
    close();
  }
});

Deno.test("authorize gives a HubSpot URL with state, redirect and the oauth scope", async () => {
  const { api, close } = await testApp();
  try {
    const response = await api("/integrations/hubspot/authorize?user_id=a&org_id=o");
    assert.equal(response.status, 200);
    const url = new URL((await response.json()).authorize_url);
    assert.equal(url.origin + url.pathname, `${APP_URL}/sandbox/hubspot/oauth/authorize`);
    assert.equal(url.searchParams.get("client_id"), "sandbox-hubspot-client");
    assert.equal(
      url.searchParams.get("redirect_uri"),
      `${APP_URL}/integrations/hubspot/oauth2callback`,
    );
    assert.ok(url.searchParams.get("scope")?.split(" ").includes("oauth"));
    assert.ok((url.searchParams.get("state") ?? "").length >= 43);
  } finally {
    close();
  }
});

Deno.test("a callback for a program's authorize needs no session; a bad state is a page", async () => {
  const { app, api, close } = await testApp();
  try {
    const noState = await app.request(`${APP_URL}/integrations/hubspot/oauth2callback?code=x`);
    assert.equal(noState.status, 400);
    assert.match(noState.headers.get("content-type") ?? "", /text\/html/);
    assert.match(await noState.text(), /without the state/);

    const unknown = await app.request(
      `${APP_URL}/integrations/hubspot/oauth2callback?code=x&state=made-up-state`,
    );
    assert.equal(unknown.status, 400);
    assert.match(await unknown.text(), /no record of this connection attempt/);

    const started = await api("/integrations/hubspot/authorize?user_id=a&org_id=o");
    const state = new URL((await started.json()).authorize_url).searchParams.get("state")!;
    const denied = await app.request(
      `${APP_URL}/integrations/hubspot/oauth2callback?error=access_denied&state=${state}`,
    );
    assert.equal(denied.status, 303);
    assert.equal(denied.headers.get("location"), "/?cancelled=hubspot");
    const replayed = await app.request(
      `${APP_URL}/integrations/hubspot/oauth2callback?error=access_denied&state=${state}`,
    );
    assert.equal(replayed.status, 400);
    assert.match(await replayed.text(), /already finished/);
  } finally {
    close();
  }
});

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

Deno.test("health makes a store round trip and unknown paths are 404s", async () => {
  const { app, close } = await testApp();
  try {
    const health = await app.request(`${APP_URL}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { ok: true, store: "embedded" });
    const missing = await app.request(`${APP_URL}/nowhere`);
    assert.equal(missing.status, 404);
    assert.equal((await errorOf(missing)).code, "not_found");
  } finally {
    close();
  }
});

Deno.test("HSTS is sent only when the hub's APP_URL is https", async () => {
  for (const [appUrl, sent] of [["http://hub.test", false], ["https://hub.test", true]] as const) {
    const { app, close } = await testApp(appUrl);
    try {
      for (const path of ["/login", "/health", "/no-such-page"]) {
        const response = await app.request(`${appUrl}${path}`);
        await response.body?.cancel();
        const hsts = response.headers.get("Strict-Transport-Security");
        if (sent) assert.match(hsts ?? "", /^max-age=\d+/, `${appUrl}${path}`);
        else assert.equal(hsts, null, `${appUrl}${path}`);
      }
    } finally {
      close();
    }
  }
});
