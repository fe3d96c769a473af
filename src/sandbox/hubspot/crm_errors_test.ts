/** The CRM list API's refusals over real HTTP: 401, 403, 429, injected faults, latency, garbage. */
import assert from "node:assert/strict";
import { assertRateHeaders, connect, crm, withToken } from "../../testing/sandboxes/hubspot.ts";

Deno.test("401: no or unknown token, and an expired one with HubSpot's message and context", async () => {
  await withToken(async (s, token, clock) => {
    for (const header of [undefined, "nope", ""]) {
      const answer = await crm(s, "/crm/v3/objects/contacts", header);
      assert.equal(answer.status, 401);
      assert.deepEqual(answer.json, {
        status: "error",
        message: "Authentication credentials not found.",
        correlationId: answer.headers.get("x-hubspot-correlation-id"),
        category: "INVALID_AUTHENTICATION",
      });
      assertRateHeaders(answer, 100);
    }
    const expiry = clock.now() + 1800 * 1000;
    clock.advance(1800 * 1000 + 5_400);
    const expired = await crm(s, "/crm/v3/objects/contacts", token);
    assert.equal(expired.status, 401);
    assert.deepEqual(expired.json, {
      status: "error",
      message: "The OAuth token used to make this call expired 5 second(s) ago.",
      correlationId: expired.headers.get("x-hubspot-correlation-id"),
      category: "EXPIRED_AUTHENTICATION",
      context: { "expire time": [new Date(expiry).toISOString()] },
    });
    assertRateHeaders(expired, 100);
  });
});

Deno.test("403 MISSING_SCOPES for an object type the token has no scope for", async () => {
  await withToken(
    async (s, token) => {
      const deals = await crm(s, "/crm/v3/objects/deals", token);
      assert.equal(deals.status, 403);
      assert.equal(deals.json?.category, "MISSING_SCOPES");
      assert.match(String(deals.json?.message), /hasn't been granted all required scopes/);
      assert.deepEqual(deals.json?.errors, [{
        message: "One or more of the following scopes are required.",
        context: { requiredGranularScopes: ["crm.objects.deals.read"] },
      }]);
      assertRateHeaders(deals, 100, 99);
      assert.equal((await crm(s, "/crm/v3/objects/contacts", token)).status, 200);
    },
    { requiredScopes: ["oauth"] },
    { scope: "oauth crm.objects.contacts.read" },
  );
});

Deno.test("429 after the rolling limit, with HubSpot's body and headers; the window rolls on", async () => {
  await withToken(async (s, token, clock) => {
    for (let i = 0; i < 3; i++) {
      const ok = await crm(s, "/crm/v3/objects/contacts?limit=1", token);
      assert.equal(ok.status, 200);
      assertRateHeaders(ok, 3, 2 - i);
    }
    const limited = await crm(s, "/crm/v3/objects/contacts?limit=1", token);
    assert.equal(limited.status, 429);
    assertRateHeaders(limited, 3, 0);
    assert.deepEqual(Object.keys(limited.json ?? {}), [
      "status",
      "message",
      "errorType",
      "correlationId",
      "policyName",
      "groupName",
    ]);
    assert.equal(limited.json?.message, "You have reached your ten_secondly_rolling limit.");
    assert.equal(limited.json?.errorType, "RATE_LIMIT");
    assert.equal(limited.json?.policyName, "TEN_SECONDLY_ROLLING");
    assert.equal(s.control.counters.rateLimited, 1);
    // Another token of the same account shares the window.
    const other = (await connect(s)).access_token;
    assert.equal((await crm(s, "/crm/v3/objects/deals", other)).status, 429);
    clock.advance(10_000);
    assert.equal((await crm(s, "/crm/v3/objects/contacts?limit=1", token)).status, 200);
  }, { rateLimit: { max: 3, intervalMs: 10_000 } });
});

Deno.test("failNext answers the next calls with the injected response, then service resumes", async () => {
  await withToken(async (s, token) => {
    s.control.failNext("crm", {
      status: 502,
      body: { status: "error", message: "Bad gateway" },
      headers: { "X-Injected": "yes" },
    }, 2);
    for (let i = 0; i < 2; i++) {
      const failed = await crm(s, "/crm/v3/objects/contacts", token);
      assert.equal(failed.status, 502);
      assert.equal(failed.json?.message, "Bad gateway");
      assert.equal(failed.headers.get("x-injected"), "yes");
      assertRateHeaders(failed, 100);
    }
    assert.equal((await crm(s, "/crm/v3/objects/contacts", token)).status, 200);
    assert.equal(s.control.counters.crmCalls, 3);
    assert.throws(() => s.control.failNext("crm", { status: 42, body: null }), RangeError);
  });
});

Deno.test("latency is added to every API call and can be changed", async () => {
  await withToken(async (s, token) => {
    s.control.setLatency(60);
    const started = performance.now();
    assert.equal((await crm(s, "/crm/v3/objects/deals?limit=1", token)).status, 200);
    assert.ok(performance.now() - started >= 55);
    s.control.setLatency(0);
  });
});

Deno.test("malformed queries and headers get 400s or 401s, never a 500", async () => {
  await withToken(async (s, token) => {
    const paths = [
      "/crm/v3/objects/contacts?limit=%ZZ",
      "/crm/v3/objects/contacts?after=%%%",
      "/crm/v3/objects/contacts?after=%25%25",
      "/crm/v3/objects/contacts?after=" + "A".repeat(5000),
      "/crm/v3/objects/contacts?properties=" + ",".repeat(5000),
      "/crm/v3/objects/contacts?archived=&limit=&after=",
      "/crm/v3/objects/%F0%9F%98%80",
      "/crm/v3/objects/constructor",
      "/crm/v3/objects/__proto__",
    ];
    for (const path of paths) {
      const answer = await crm(s, path, token);
      assert.ok([200, 400].includes(answer.status), `${path}: ${answer.status}`);
      if (answer.status === 400) assert.equal(answer.json?.category, "VALIDATION_ERROR");
    }
    for (const header of ["Bearer", "Basic abc", `Bearer ${token} extra`, "bearer  "]) {
      const answer = await fetch(`${s.base}/crm/v3/objects/contacts`, {
        headers: { Authorization: header },
      });
      await answer.body?.cancel();
      assert.equal(answer.status, 401, header);
    }
    const unknownRoute = await crm(s, "/crm/v3/objects/contacts/101/associations", token);
    assert.equal(unknownRoute.status, 404);
  });
});
