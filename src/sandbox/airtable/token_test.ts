/** The sandbox's token endpoint over real HTTP: PKCE, Basic, single-use codes, rotation. */
import assert from "node:assert/strict";
import {
  answer,
  apiGet,
  BASIC,
  CLIENT_ID,
  CLIENT_SECRET,
  code,
  connect,
  REDIRECT,
  serve,
  tokenRequest,
  VERIFIER,
} from "../../testing/sandboxes/airtable.ts";

const exchange = (c: string, extra: Record<string, string> = {}) => ({
  grant_type: "authorization_code",
  code: c,
  redirect_uri: REDIRECT,
  code_verifier: VERIFIER,
  ...extra,
});

Deno.test("a code gives Airtable's token answer, uncached", async () => {
  const s = serve();
  try {
    const response = await tokenRequest(s, exchange(await code(s), { client_id: CLIENT_ID }));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("cache-control"), "no-store");
    const body = await response.json();
    assert.deepEqual(Object.keys(body).sort(), [
      "access_token",
      "expires_in",
      "refresh_expires_in",
      "refresh_token",
      "scope",
      "token_type",
    ]);
    assert.equal(body.token_type, "Bearer");
    assert.equal(body.scope, "data.records:read schema.bases:read");
    assert.equal(body.expires_in, 3600);
    assert.equal(body.refresh_expires_in, 5_184_000);
    assert.equal(s.control.counters.codeExchanges, 1);
  } finally {
    await s.close();
  }
});

Deno.test("PKCE is enforced, and a code is single-use even when its exchange failed", async () => {
  const s = serve();
  try {
    const cases: [Record<string, string>, number, string][] = [
      [{ code_verifier: "w".repeat(64) }, 400, "invalid_grant"],
      [{ code_verifier: VERIFIER.slice(0, 42) }, 400, "invalid_request"],
      [{ code_verifier: "v".repeat(129) }, 400, "invalid_request"],
      [{ code_verifier: VERIFIER.slice(0, 60) + "~abc" }, 400, "invalid_request"],
      [{ code_verifier: "" }, 400, "invalid_request"],
      [{ redirect_uri: "http://hub.test/other" }, 400, "invalid_grant"],
    ];
    for (const [extra, status, error] of cases) {
      const burnt = await code(s);
      const failed = await answer(await tokenRequest(s, exchange(burnt, extra)));
      assert.equal(failed.status, status, JSON.stringify(extra));
      assert.equal((failed.body as { error: string }).error, error);
      assert.equal(
        typeof (failed.body as { error_description: string }).error_description,
        "string",
      );
      const retried = await answer(await tokenRequest(s, exchange(burnt)));
      assert.equal(retried.status, 400, "the code died with the failed exchange");
      assert.equal((retried.body as { error: string }).error, "invalid_grant");
    }
  } finally {
    await s.close();
  }
});

Deno.test("HTTP Basic is required: a secret in the body, a wrong secret or a different client_id is invalid_client", async () => {
  const s = serve();
  try {
    const refusals: [Record<string, string>, string | null][] = [
      [{ client_id: CLIENT_ID, client_secret: CLIENT_SECRET }, null],
      [{}, null],
      [{}, `Basic ${btoa(`${CLIENT_ID}:wrong`)}`],
      [{ client_id: "other-client" }, BASIC],
      [{}, "Basic %%%not-base64"],
      [{}, `Basic ${btoa("no-colon")}`],
      [{}, `Bearer ${CLIENT_SECRET}`],
    ];
    for (const [extra, auth] of refusals) {
      const burnt = await code(s);
      const refused = await answer(await tokenRequest(s, exchange(burnt, extra), auth));
      assert.equal(refused.status, 401, JSON.stringify([extra, auth]));
      assert.equal((refused.body as { error: string }).error, "invalid_client");
      const retried = await tokenRequest(s, exchange(burnt));
      assert.equal(retried.status, 400, "presenting the code burnt it");
      await retried.body?.cancel();
    }
  } finally {
    await s.close();
  }
});

Deno.test("an integration without a secret forbids Basic and needs client_id in the body", async () => {
  const s = serve({ clientSecret: "" });
  try {
    const withBasic = await tokenRequest(
      s,
      exchange(await code(s)),
      `Basic ${btoa(`${CLIENT_ID}:`)}`,
    );
    assert.equal(withBasic.status, 401);
    await withBasic.body?.cancel();
    const ok = await tokenRequest(s, exchange(await code(s), { client_id: CLIENT_ID }), null);
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
  } finally {
    await s.close();
  }
});

Deno.test("codes live 10 minutes; JSON bodies and unknown grants are refused with 400s", async () => {
  let now = Date.UTC(2026, 0, 1);
  const s = serve({ clock: () => now });
  try {
    const late = await code(s);
    now += 10 * 60 * 1000 + 1;
    const expired = await answer(await tokenRequest(s, exchange(late)));
    assert.equal(expired.status, 400);
    assert.equal((expired.body as { error: string }).error, "invalid_grant");

    const json = await fetch(`${s.url}/oauth2/v1/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: BASIC },
      body: JSON.stringify(exchange(await code(s))),
    });
    assert.equal(json.status, 400);
    assert.equal((await json.json()).error, "invalid_request");
    for (
      const [fields, error] of [
        [{ grant_type: "client_credentials" }, "unsupported_grant_type"],
        [{}, "invalid_request"],
        [{ grant_type: "authorization_code" }, "invalid_request"],
        [{ grant_type: "refresh_token" }, "invalid_request"],
      ] as const
    ) {
      const refused = await answer(await tokenRequest(s, fields));
      assert.equal(refused.status, 400);
      assert.equal((refused.body as { error: string }).error, error);
    }
  } finally {
    await s.close();
  }
});

Deno.test("a refresh rotates: the old refresh AND access token die, reuse is invalid_grant", async () => {
  const s = serve();
  try {
    const first = await connect(s);
    const rotated = await answer(
      await tokenRequest(s, { grant_type: "refresh_token", refresh_token: first.refresh_token }),
    );
    assert.equal(rotated.status, 200);
    const second = rotated.body as typeof first;
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.notEqual(second.access_token, first.access_token);
    assert.equal(second.scope, first.scope);

    const reuse = await answer(
      await tokenRequest(s, { grant_type: "refresh_token", refresh_token: first.refresh_token }),
    );
    assert.equal(reuse.status, 400);
    assert.equal((reuse.body as { error: string }).error, "invalid_grant");
    assert.equal(typeof (reuse.body as { error_description: string }).error_description, "string");

    const old = await answer(await apiGet(s, first.access_token, "/v0/meta/whoami"));
    assert.equal(old.status, 401);
    assert.deepEqual(old.body, {
      error: { type: "AUTHENTICATION_REQUIRED", message: "Authentication required" },
    });
    assert.equal(
      (await answer(await apiGet(s, second.access_token, "/v0/meta/whoami"))).status,
      200,
    );
    assert.deepEqual(await s.control.liveRefreshTokens(), [second.refresh_token]);
    assert.equal(s.control.counters.refreshes, 1);
    assert.equal(s.control.counters.reusedRefreshTokens, 1);
  } finally {
    await s.close();
  }
});

Deno.test("with revokeOnRefreshReuse, reusing a rotated refresh token revokes the whole grant", async () => {
  const s = serve({ revokeOnRefreshReuse: true });
  try {
    const first = await connect(s);
    const second = await (await tokenRequest(s, {
      grant_type: "refresh_token",
      refresh_token: first.refresh_token,
    })).json();
    const reuse = await tokenRequest(s, {
      grant_type: "refresh_token",
      refresh_token: first.refresh_token,
    });
    assert.equal(reuse.status, 400);
    await reuse.body?.cancel();
    assert.equal(
      (await answer(await apiGet(s, second.access_token, "/v0/meta/whoami"))).status,
      401,
    );
    assert.deepEqual(await s.control.liveRefreshTokens(), []);
  } finally {
    await s.close();
  }
});

Deno.test("access tokens expire after their TTL; failNext injects 500, 429 and a hang", async () => {
  let now = Date.UTC(2026, 0, 1);
  const s = serve({ clock: () => now, accessTokenTtlSeconds: 60 });
  try {
    const tokens = await connect(s);
    now += 59_000;
    assert.equal(
      (await answer(await apiGet(s, tokens.access_token, "/v0/meta/bases"))).status,
      200,
    );
    now += 1_000;
    assert.equal(
      (await answer(await apiGet(s, tokens.access_token, "/v0/meta/bases"))).status,
      401,
    );

    const refresh = { grant_type: "refresh_token", refresh_token: tokens.refresh_token };
    s.control.failNext("token", { status: 500, body: { error: "server_error" } });
    s.control.failNext("token", { status: 429 });
    s.control.failNext("token", { status: 200, delayMs: 60_000 });
    assert.equal((await answer(await tokenRequest(s, refresh))).status, 500);
    assert.equal((await answer(await tokenRequest(s, refresh))).status, 429);
    await assert.rejects(
      fetch(`${s.url}/oauth2/v1/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: BASIC },
        body: new URLSearchParams(refresh),
        signal: AbortSignal.timeout(150),
      }),
    );
    // Faults leave the grant alone: the refresh token still works.
    assert.equal((await answer(await tokenRequest(s, refresh))).status, 200);
  } finally {
    await s.close();
  }
});
