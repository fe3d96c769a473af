/** The CRM list API over real HTTP: paging, limits, properties, archived, errors, the rolling limit. */
import assert from "node:assert/strict";
import type { HubspotSandboxOptions } from "./sandbox.ts";
import {
  type Answer,
  connect,
  crm,
  fakeClock,
  type Served,
  serveSandbox,
} from "../../testing/sandboxes/hubspot.ts";

type Clock = ReturnType<typeof fakeClock>;

async function withToken(
  test: (s: Served, token: string, clock: Clock) => Promise<void>,
  options: Partial<HubspotSandboxOptions> = {},
  install: Record<string, string> = {},
) {
  const clock = fakeClock();
  const s = serveSandbox({ clock: clock.now, ...options });
  try {
    await test(s, (await connect(s, install)).access_token, clock);
  } finally {
    await s.close();
  }
}

interface Page {
  results: { id: string; properties: Record<string, string | null>; archived: boolean }[];
  paging?: { next: { after: string; link: string } };
}
const page = (answer: Answer) => answer.json as unknown as Page;

function assertRateHeaders(answer: Answer, max: number, remaining?: number) {
  assert.equal(answer.headers.get("x-hubspot-ratelimit-max"), String(max));
  assert.equal(answer.headers.get("x-hubspot-ratelimit-interval-milliseconds"), "10000");
  assert.match(answer.headers.get("x-hubspot-ratelimit-remaining") ?? "", /^\d+$/);
  if (remaining !== undefined) {
    assert.equal(answer.headers.get("x-hubspot-ratelimit-remaining"), String(remaining));
  }
  assert.ok(answer.headers.get("x-hubspot-correlation-id"));
  assert.equal(answer.headers.get("retry-after"), null);
}

Deno.test("paging walks every live record once; paging is absent on the last page", async () => {
  await withToken(async (s, token) => {
    for (const type of ["contacts", "companies", "deals"] as const) {
      const seen: string[] = [];
      let after: string | undefined;
      let pages = 0;
      do {
        const query = new URLSearchParams({ limit: "37", ...(after ? { after } : {}) });
        const answer = await crm(s, `/crm/v3/objects/${type}?${query}`, token);
        assert.equal(answer.status, 200);
        const body = page(answer);
        seen.push(...body.results.map((r) => r.id));
        if (body.paging) {
          assert.equal(body.results.length, 37);
          assert.equal(body.paging.next.link, `?after=${body.paging.next.after}`);
        } else assert.ok(!("paging" in body));
        after = body.paging?.next.after;
        pages++;
      } while (after !== undefined);
      const live = s.control.data[type].filter((r) => !r.archived).map((r) => r.id);
      assert.deepEqual(seen, live, type);
      assert.equal(pages, Math.ceil(live.length / 37));
    }
  }, { rateLimit: { max: 1000, intervalMs: 10_000 } });
});

Deno.test("cursors are opaque strings shaped like HubSpot's, and work sent raw or encoded again", async () => {
  await withToken(async (s, token) => {
    const first = page(await crm(s, "/crm/v3/objects/contacts?limit=2", token));
    const after = first.paging?.next.after ?? "";
    assert.match(after, /^[A-Za-z0-9]+(%3D)*$/);
    const third = s.control.data.contacts.filter((r) => !r.archived)[2].id;
    for (const sent of [after, encodeURIComponent(after), decodeURIComponent(after)]) {
      const next = page(await crm(s, `/crm/v3/objects/contacts?limit=1&after=${sent}`, token));
      assert.equal(next.results[0].id, third);
    }
    const bad = await crm(s, "/crm/v3/objects/contacts?after=42", token);
    assert.equal(bad.status, 400);
    assert.equal(bad.json?.category, "VALIDATION_ERROR");
  });
});

Deno.test("limit defaults to 10, allows 1 to 100, and anything else is a 400 VALIDATION_ERROR", async () => {
  await withToken(async (s, token) => {
    assert.equal(page(await crm(s, "/crm/v3/objects/contacts", token)).results.length, 10);
    assert.equal(page(await crm(s, "/crm/v3/objects/contacts?limit=1", token)).results.length, 1);
    assert.equal(
      page(await crm(s, "/crm/v3/objects/contacts?limit=100", token)).results.length,
      100,
    );
    for (const limit of ["101", "0", "-1", "abc", "1.5", "1e2", "9".repeat(400)]) {
      const answer = await crm(s, `/crm/v3/objects/contacts?limit=${limit}`, token);
      assert.equal(answer.status, 400, limit);
      assert.equal(answer.json?.status, "error");
      assert.equal(answer.json?.category, "VALIDATION_ERROR");
      assert.match(String(answer.json?.message), /limit/);
      assertRateHeaders(answer, 100);
    }
  });
});

Deno.test("properties: defaults when omitted, always the base three, unknown names ignored", async () => {
  await withToken(async (s, token) => {
    const keys = async (path: string) =>
      Object.keys(page(await crm(s, path, token)).results[0].properties);
    assert.deepEqual(await keys("/crm/v3/objects/contacts?limit=1"), [
      "createdate",
      "email",
      "firstname",
      "hs_object_id",
      "lastmodifieddate",
      "lastname",
    ]);
    assert.deepEqual(await keys("/crm/v3/objects/0-2?limit=1"), [
      "createdate",
      "domain",
      "hs_lastmodifieddate",
      "hs_object_id",
      "name",
    ]);
    assert.deepEqual(await keys("/crm/v3/objects/deals?limit=1"), [
      "amount",
      "closedate",
      "createdate",
      "dealname",
      "dealstage",
      "hs_lastmodifieddate",
      "hs_object_id",
      "pipeline",
    ]);
    const asked = "/crm/v3/objects/contacts?limit=1&properties=phone,nope&properties=jobtitle";
    assert.deepEqual(await keys(asked), [
      "createdate",
      "hs_object_id",
      "jobtitle",
      "lastmodifieddate",
      "phone",
    ]);
    const all = page(await crm(s, "/crm/v3/objects/contacts?limit=100", token));
    const seeded = s.control.data.contacts.filter((r) => !r.archived);
    for (const [i, record] of all.results.entries()) {
      assert.equal(record.properties.hs_object_id, record.id);
      assert.equal(record.properties.email, seeded[i].properties.email);
      for (const value of Object.values(record.properties)) {
        assert.ok(value === null || typeof value === "string");
      }
    }
  });
});

Deno.test("archived=true returns only archived records; object type ids are accepted", async () => {
  await withToken(async (s, token) => {
    for (
      const [name, id] of [["contacts", "0-1"], ["companies", "0-2"], ["deals", "0-3"]] as const
    ) {
      const archived = page(await crm(s, `/crm/v3/objects/${id}?archived=true&limit=100`, token));
      const expected = s.control.data[name].filter((r) => r.archived).map((r) => r.id);
      assert.ok(expected.length >= 2, name);
      assert.deepEqual(archived.results.map((r) => r.id), expected);
      assert.ok(archived.results.every((r) => r.archived));
      const live = page(await crm(s, `/crm/v3/objects/${name}?archived=false&limit=100`, token));
      assert.ok(live.results.every((r) => !r.archived));
    }
    const unknown = await crm(s, "/crm/v3/objects/unicorns", token);
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json?.category, "VALIDATION_ERROR");
    const archivedBad = await crm(s, "/crm/v3/objects/deals?archived=yes", token);
    assert.equal(archivedBad.status, 400);
  });
});

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
