/** The sandbox's per-base rate limit and its authentication errors, over real HTTP. */
import assert from "node:assert/strict";
import {
  answer,
  apiGet,
  authorize,
  connect,
  REDIRECT,
  serve,
  tokenRequest,
  VERIFIER,
} from "../../testing/sandboxes/airtable.ts";

const RATE_LIMITED = {
  errors: [{ error: "RATE_LIMIT_REACHED", message: "Rate limit exceeded. Please try again later" }],
};

Deno.test("6 quick requests to one base: one 429, then the penalty; another base is unaffected", async () => {
  const s = serve();
  try {
    const { access_token } = await connect(s);
    const [busy, calm] = s.control.bases;
    const path = `/v0/${busy.id}/${busy.tables[0].id}?pageSize=1`;
    const burst = await Promise.all(
      Array.from({ length: 6 }, async () => await answer(await apiGet(s, access_token, path))),
    );
    const limited = burst.filter((a) => a.status === 429);
    assert.equal(limited.length, 1);
    assert.deepEqual(limited[0].body, RATE_LIMITED);
    const penalised = await answer(
      await apiGet(s, access_token, `/v0/meta/bases/${busy.id}/tables`),
    );
    assert.equal(penalised.status, 429, "the whole base is blocked, whatever the endpoint");
    const other = await apiGet(s, access_token, `/v0/${calm.id}/${calm.tables[0].id}?pageSize=1`);
    assert.equal(other.status, 200);
    await other.body?.cancel();
    const listing = await apiGet(s, access_token, "/v0/meta/bases");
    assert.equal(listing.status, 200, "the bases list is not per base");
    await listing.body?.cancel();
    const counted = s.control.counters.perBase[busy.id];
    assert.equal(counted.requests, 7);
    assert.equal(counted.maxPerSecond, 7);
    assert.equal(counted.rateLimited, 2);
    assert.equal(s.control.counters.rateLimited, 2);
  } finally {
    await s.close();
  }
});

Deno.test("the penalty lasts penaltyMs and the window is one second (fake clock)", async () => {
  let now = Date.UTC(2026, 0, 1);
  const s = serve({ clock: () => now });
  try {
    const { access_token } = await connect(s);
    const base = s.control.bases[0];
    const get = async () =>
      (await answer(await apiGet(s, access_token, `/v0/meta/bases/${base.id}/tables`))).status;
    for (let i = 0; i < 5; i++) {
      assert.equal(await get(), 200);
      now += 199;
    }
    now += 5;
    assert.equal(await get(), 200, "the first request left the window 1000 ms later");
    now += 1;
    assert.equal(await get(), 429, "six inside one second");
    now += 29_999;
    assert.equal(await get(), 429);
    now += 1;
    assert.equal(await get(), 200, "30 s after the 429");
    assert.equal(s.control.counters.perBase[base.id].maxPerSecond, 6);
  } finally {
    await s.close();
  }
});

Deno.test("401 AUTHENTICATION_REQUIRED for no, unknown, expired and rotated tokens; 403 without the scope", async () => {
  const s = serve();
  try {
    const tokens = await connect(s);
    const expected = {
      error: { type: "AUTHENTICATION_REQUIRED", message: "Authentication required" },
    };
    const noHeader = await answer(await fetch(`${s.url}/v0/meta/bases`));
    assert.equal(noHeader.status, 401);
    assert.deepEqual(noHeader.body, expected);
    for (const token of ["nope", `${tokens.access_token}x`]) {
      const refused = await answer(await apiGet(s, token, "/v0/meta/bases"));
      assert.equal(refused.status, 401);
      assert.deepEqual(refused.body, expected);
    }
    const basic = await answer(
      await fetch(`${s.url}/v0/meta/bases`, {
        headers: { Authorization: `Basic ${tokens.access_token}` },
      }),
    );
    assert.equal(basic.status, 401);
    await s.control.expireAccessTokens();
    assert.deepEqual(
      (await answer(await apiGet(s, tokens.access_token, "/v0/meta/whoami"))).body,
      expected,
    );
    const rotated = await (await tokenRequest(s, {
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token,
    })).json();
    assert.equal(
      (await answer(await apiGet(s, rotated.access_token, "/v0/meta/whoami"))).status,
      200,
    );

    await s.control.revokeAll();
    assert.equal(
      (await answer(await apiGet(s, rotated.access_token, "/v0/meta/whoami"))).status,
      401,
    );
  } finally {
    await s.close();
  }
});

Deno.test("a token without schema.bases:read cannot list bases; user.email:read adds the email", async () => {
  const s = serve();
  try {
    const exchange = async (scope: string) => {
      const back = await authorize(s, "approve", { scope });
      return await (await tokenRequest(s, {
        grant_type: "authorization_code",
        code: back.searchParams.get("code")!,
        redirect_uri: REDIRECT,
        code_verifier: VERIFIER,
      })).json();
    };
    const recordsOnly = await exchange("data.records:read");
    const refused = await answer(await apiGet(s, recordsOnly.access_token, "/v0/meta/bases"));
    assert.equal(refused.status, 403);
    const withEmail = await exchange("schema.bases:read user.email:read");
    const who = (await answer(await apiGet(s, withEmail.access_token, "/v0/meta/whoami"))).body;
    assert.deepEqual(who, {
      id: s.control.user.id,
      scopes: ["schema.bases:read", "user.email:read"],
      email: s.control.user.email,
    });
    const base = s.control.bases[0];
    const noRecords = await apiGet(
      s,
      withEmail.access_token,
      `/v0/${base.id}/${base.tables[0].id}`,
    );
    assert.equal(noRecords.status, 403);
    await noRecords.body?.cancel();
  } finally {
    await s.close();
  }
});

Deno.test("bad input never gets a 500: odd paths, methods, bodies and parameters", async () => {
  const s = serve();
  try {
    const { access_token } = await connect(s);
    const base = s.control.bases[0];
    const auth = { Authorization: `Bearer ${access_token}` };
    const requests: [string, RequestInit][] = [
      [`/v0/${base.id}/%E0%A4%A`, { headers: auth }],
      [`/v0/${base.id}/${base.tables[0].id}?offset=${"x".repeat(5000)}`, { headers: auth }],
      [`/v0/${base.id}/${base.tables[0].id}?pageSize=1&pageSize=2`, { headers: auth }],
      [`/v0/${base.id}/${base.tables[0].id}?sort%5B0%5D%5Bfield%5D=Name`, { headers: auth }],
      [`/v0/${base.id}/${base.tables[0].id}?cellFormat=string`, { headers: auth }],
      [`/v0/${base.id}/${base.tables[0].id}/listRecords`, {
        method: "POST",
        headers: auth,
        body: "{",
      }],
      [`/v0/${base.id}/${base.tables[0].id}/listRecords`, {
        method: "POST",
        headers: auth,
        body: "[1]",
      }],
      [`/v0/${base.id}/${base.tables[0].id}/listRecords`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ pageSize: "many", fields: "Name" }),
      }],
      ["/v0/meta/bases?offset=%FF", { headers: auth }],
      ["/v0/meta/unknown", { headers: auth }],
      ["/v1/nothing", {}],
      ["/oauth2/v1/token", { method: "POST", body: new Uint8Array([0xff, 0xfe]) }],
      ["/oauth2/v1/token", {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Authorization: "Basic ////",
        },
        body: "grant_type=%ZZ&code=%",
      }],
      ["/oauth2/v1/authorize?client_id=%ZZ&state[]=1", {}],
      ["/oauth2/v1/authorize", { method: "POST", body: "decision=approve" }],
    ];
    for (const [path, init] of requests) {
      const response = await fetch(`${s.url}${path}`, init);
      await response.body?.cancel();
      assert.ok(response.status >= 400 && response.status < 500, `${path}: ${response.status}`);
      s.control.resetRateLimits();
    }
  } finally {
    await s.close();
  }
});
