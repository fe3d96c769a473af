import assert from "node:assert/strict";
import { APP_URL, errorOf, testApp } from "../testing/route_app.ts";

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
