/** HubSpot's OAuth rules over real HTTP: the token endpoint, refresh, revocation, token metadata. */
import assert from "node:assert/strict";
import {
  call,
  CLIENT_ID,
  CLIENT_SECRET,
  connect,
  crm,
  exchange,
  install,
  postForm,
  REDIRECT,
  SCOPES,
  withSandbox,
} from "../../testing/sandboxes/hubspot.ts";

const codeFrom = (url: URL) => url.searchParams.get("code") ?? "";
const codeGrant = (code: string, redirect = REDIRECT) => ({
  grant_type: "authorization_code",
  code,
  redirect_uri: redirect,
});

function assertOAuthError(body: Record<string, unknown> | null, error: string, status: string) {
  if (body === null) throw new assert.AssertionError({ message: "the answer is not JSON" });
  assert.equal(body.error, error);
  assert.equal(body.status, status);
  assert.equal(typeof body.error_description, "string");
  assert.equal(body.message, body.error_description);
}

Deno.test("a code is exchanged once; the answer is HubSpot's snake_case token response", async () => {
  await withSandbox(async (s) => {
    const code = codeFrom(await install(s, "approve"));
    const first = await exchange(s, codeGrant(code));
    assert.equal(first.status, 200);
    const body = first.json ?? {};
    assert.deepEqual(Object.keys(body).sort(), [
      "access_token",
      "expires_in",
      "hub_id",
      "refresh_token",
      "scopes",
      "token_type",
    ]);
    assert.equal(body.token_type, "bearer");
    assert.equal(body.expires_in, 1800);
    assert.equal(body.hub_id, s.control.hubId);
    assert.deepEqual(body.scopes, SCOPES);
    assert.match(String(body.refresh_token), /^na1-[0-9a-f]{4}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/);
    assert.ok(String(body.access_token).length <= 300);
    const again = await exchange(s, codeGrant(code));
    assert.equal(again.status, 400);
    assertOAuthError(again.json, "invalid_grant", "BAD_AUTH_CODE");
  });
});

Deno.test("a code expires after ten minutes", async () => {
  await withSandbox(async (s, clock) => {
    const fresh = codeFrom(await install(s, "approve"));
    clock.advance(10 * 60 * 1000 - 1);
    assert.equal((await exchange(s, codeGrant(fresh))).status, 200);
    const stale = codeFrom(await install(s, "approve"));
    clock.advance(10 * 60 * 1000);
    const late = await exchange(s, codeGrant(stale));
    assert.equal(late.status, 400);
    assertOAuthError(late.json, "invalid_grant", "EXPIRED_AUTH_CODE");
  });
});

Deno.test("the token endpoint wants the same redirect_uri, and the code is spent by the attempt", async () => {
  await withSandbox(async (s) => {
    const code = codeFrom(await install(s, "approve"));
    const wrong = await exchange(s, codeGrant(code, `${REDIRECT}/`));
    assert.equal(wrong.status, 400);
    assertOAuthError(wrong.json, "invalid_grant", "BAD_REDIRECT_URI");
    const right = await exchange(s, codeGrant(code));
    assertOAuthError(right.json, "invalid_grant", "BAD_AUTH_CODE");
  });
});

Deno.test("client credentials must be in the form body: Basic alone, JSON and a wrong secret fail", async () => {
  await withSandbox(async (s) => {
    const code = codeFrom(await install(s, "approve"));
    const basic = await postForm(`${s.base}/oauth/v1/token`, codeGrant(code), {
      Authorization: `Basic ${btoa(`${CLIENT_ID}:${CLIENT_SECRET}`)}`,
    });
    assert.equal(basic.status, 400);
    assertOAuthError(basic.json, "invalid_client", "BAD_CLIENT_ID");
    const json = await call(`${s.base}/oauth/v1/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        ...codeGrant(code),
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
      }),
    });
    assert.equal(json.status, 400);
    assertOAuthError(json.json, "invalid_request", "BAD_REQUEST");
    const secret = await exchange(s, { ...codeGrant(code), client_secret: "guess" });
    assertOAuthError(secret.json, "invalid_client", "BAD_CLIENT_SECRET");
    // None of those spent the code.
    assert.equal((await exchange(s, codeGrant(code))).status, 200);
    const grantless = await exchange(s, { grant_type: "password" });
    assertOAuthError(grantless.json, "unsupported_grant_type", "BAD_GRANT_TYPE");
  });
});

Deno.test("refresh keeps the refresh token, mints a new access token, and old ones keep working", async () => {
  await withSandbox(async (s) => {
    const tokens = await connect(s);
    const refreshed = await exchange(s, {
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token,
    });
    assert.equal(refreshed.status, 200);
    assert.equal(refreshed.json?.refresh_token, tokens.refresh_token);
    assert.notEqual(refreshed.json?.access_token, tokens.access_token);
    assert.equal((await crm(s, "/crm/v3/objects/deals?limit=1", tokens.access_token)).status, 200);
    assert.deepEqual(s.control.counters.tokenCalls, {
      authorization_code: 1,
      refresh_token: 1,
      other: 0,
    });
  });
});

Deno.test("a deleted or revoked refresh token gives invalid_grant BAD_REFRESH_TOKEN; access tokens live on", async () => {
  await withSandbox(async (s) => {
    const tokens = await connect(s);
    const meta = await call(`${s.base}/oauth/v1/refresh-tokens/${tokens.refresh_token}`);
    assert.equal(meta.json?.token_type, "refresh");
    assert.equal(meta.json?.client_id, CLIENT_ID);
    const deleted = await call(`${s.base}/oauth/v1/refresh-tokens/${tokens.refresh_token}`, {
      method: "DELETE",
    });
    assert.equal(deleted.status, 204);
    const refresh = await exchange(s, {
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token,
    });
    assert.equal(refresh.status, 400);
    assert.deepEqual(Object.keys(refresh.json ?? {}).sort(), [
      "correlationId",
      "error",
      "error_description",
      "message",
      "status",
    ]);
    assertOAuthError(refresh.json, "invalid_grant", "BAD_REFRESH_TOKEN");
    assert.equal(
      (await call(`${s.base}/oauth/v1/refresh-tokens/${tokens.refresh_token}`)).status,
      404,
    );
    assert.equal((await crm(s, "/crm/v3/objects/contacts", tokens.access_token)).status, 200);

    const other = await connect(s);
    await s.control.revokeRefreshTokens();
    const revoked = await exchange(s, {
      grant_type: "refresh_token",
      refresh_token: other.refresh_token,
    });
    assertOAuthError(revoked.json, "invalid_grant", "BAD_REFRESH_TOKEN");
    assert.deepEqual(await s.control.liveRefreshTokens(), []);
  });
});

Deno.test("access-token metadata counts down and is gone once the token expires", async () => {
  await withSandbox(async (s, clock) => {
    const tokens = await connect(s, { optional_scope: "crm.objects.owners.read" });
    clock.advance(100_000);
    const meta = await call(`${s.base}/oauth/v1/access-tokens/${tokens.access_token}`);
    assert.equal(meta.status, 200);
    assert.deepEqual(meta.json, {
      token: tokens.access_token,
      user: "sandbox.user@example.com",
      hub_domain: meta.json?.hub_domain,
      scopes: [...SCOPES, "crm.objects.owners.read"],
      hub_id: s.control.hubId,
      app_id: meta.json?.app_id,
      expires_in: 1700,
      user_id: meta.json?.user_id,
      token_type: "access",
      is_private_distribution: false,
    });
    clock.advance(1_700_000);
    const gone = await call(`${s.base}/oauth/v1/access-tokens/${tokens.access_token}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.json?.status, "error");
    assert.equal(typeof gone.json?.correlationId, "string");
  });
});

Deno.test("the token endpoint answers garbage with 400s, and injected faults come first", async () => {
  await withSandbox(async (s) => {
    const bodies = ["", "%", "grant_type=%E0%A4%A", "a=1&a=2", "\u0000", "x".repeat(100_000)];
    for (const body of bodies) {
      const answer = await call(`${s.base}/oauth/v1/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body,
      });
      assert.equal(answer.status, 400);
      assert.ok(answer.json?.error);
    }
    s.control.failNext("token", { status: 503, body: "upstream unavailable" }, 2);
    for (let i = 0; i < 2; i++) {
      const failed = await exchange(s, { grant_type: "refresh_token", refresh_token: "x" });
      assert.equal(failed.status, 503);
      assert.equal(failed.text, "upstream unavailable");
    }
    const normal = await exchange(s, { grant_type: "refresh_token", refresh_token: "x" });
    assert.equal(normal.status, 400);
    assert.equal(s.control.counters.tokenCalls.refresh_token, 3);
  });
});
