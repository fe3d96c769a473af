/** HubSpot's OAuth rules, over real HTTP: the install page, the token endpoint, token metadata. */
import assert from "node:assert/strict";
import {
  call,
  CLIENT_ID,
  CLIENT_SECRET,
  connect,
  consentForm,
  crm,
  exchange,
  fakeClock,
  install,
  postForm,
  REDIRECT,
  SCOPES,
  type Served,
  serveSandbox,
} from "../../testing/sandboxes/hubspot.ts";

async function withSandbox(
  test: (s: Served, clock: ReturnType<typeof fakeClock>) => Promise<void>,
  options: { requiredScopes?: string[] } = {},
) {
  const clock = fakeClock();
  const s = serveSandbox({ clock: clock.now, ...options });
  try {
    await test(s, clock);
  } finally {
    await s.close();
  }
}

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

Deno.test("Deny sends the user back with access_denied and the state, and no code", async () => {
  await withSandbox(async (s) => {
    const state = 'x"<&=é +%20';
    const back = await install(s, "deny", { state });
    assert.equal(back.origin + back.pathname, REDIRECT);
    assert.equal(back.searchParams.get("error"), "access_denied");
    assert.ok(back.searchParams.get("error_description"));
    assert.equal(back.searchParams.get("state"), state);
    assert.equal(back.searchParams.get("code"), null);
  });
});

Deno.test("the install page refuses bad install URLs with an error page and no redirect", async () => {
  await withSandbox(async (s) => {
    const base = { client_id: CLIENT_ID, redirect_uri: REDIRECT, scope: SCOPES.join(" ") };
    const cases: [Record<string, string>, RegExp][] = [
      [{ scope: SCOPES.slice(1).join(" ") }, /mismatch between the scopes/],
      [
        { scope: "oauth", optional_scope: SCOPES.slice(1).join(" ") },
        /mismatch between the scopes/,
      ],
      [{ client_id: "someone-else" }, /Invalid client_id/],
      [{ redirect_uri: `${REDIRECT}/` }, /redirect_uri doesn(&#39;|')t match/],
      [{ redirect_uri: REDIRECT.toUpperCase() }, /redirect_uri doesn(&#39;|')t match/],
      [{ scope: `${SCOPES.join(" ")} crm.objects.unicorns.read` }, /crm\.objects\.unicorns\.read/],
      [{ optional_scope: "contacts" }, /scopes that don(&#39;|')t exist: contacts/],
    ];
    for (const [change, message] of cases) {
      const page = await call(
        `${s.base}/oauth/authorize?${new URLSearchParams({ ...base, ...change })}`,
      );
      assert.equal(page.status, 400, JSON.stringify(change));
      assert.equal(page.headers.get("location"), null);
      assert.match(page.headers.get("content-type") ?? "", /text\/html/);
      assert.match(page.text, message, JSON.stringify(change));
      assert.match(page.text, /HubSpot sandbox/);
    }
    const missing = await call(`${s.base}/oauth/authorize`);
    assert.equal(missing.status, 400);
  });
});

Deno.test("scopes may be joined by + or %20, and the consent page shows the account and scopes", async () => {
  await withSandbox(async (s) => {
    for (const joined of [SCOPES.join("+"), SCOPES.map(encodeURIComponent).join("%20")]) {
      const page = await call(
        `${s.base}/oauth/authorize?client_id=${CLIENT_ID}&redirect_uri=${
          encodeURIComponent(REDIRECT)
        }&scope=${joined}&optional_scope=crm.objects.owners.read`,
      );
      assert.equal(page.status, 200);
      assert.match(page.text, /HubSpot sandbox/);
      assert.match(page.text, new RegExp(`Sandbox Portal ${s.control.hubId}`));
      for (const scope of [...SCOPES, "crm.objects.owners.read"]) {
        assert.ok(page.text.includes(scope));
      }
      const form = consentForm(page.text);
      assert.equal(form.action, "/oauth/authorize");
      assert.equal(form.fields.optional_scope, "crm.objects.owners.read");
      assert.equal(form.fields.redirect_uri, REDIRECT);
    }
  });
});

Deno.test("the consent form is user input: tampered or incomplete posts are refused without a redirect", async () => {
  await withSandbox(async (s) => {
    const fields = {
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT,
      scope: SCOPES.join(" "),
      decision: "approve",
    };
    const tampered: Record<string, string>[] = [
      { ...fields, redirect_uri: "https://evil.example/steal" },
      { ...fields, scope: "crm.objects.deals.read" },
      { ...fields, client_id: "other" },
      { ...fields, decision: "maybe" },
      { client_id: CLIENT_ID },
    ];
    for (const form of tampered) {
      const answer = await postForm(`${s.base}/oauth/authorize`, form);
      assert.equal(answer.status, 400, JSON.stringify(form));
      assert.equal(answer.headers.get("location"), null);
    }
    const multipart = new FormData();
    multipart.append("client_id", new Blob(["x"]), "file.txt");
    const file = await call(`${s.base}/oauth/authorize`, { method: "POST", body: multipart });
    assert.equal(file.status, 400);
    assert.equal(s.control.counters.tokenCalls.authorization_code, 0);
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
