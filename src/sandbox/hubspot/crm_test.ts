/** The CRM list API over real HTTP: paging, cursors, limits, properties, archived records. */
import assert from "node:assert/strict";
import { type Answer, assertRateHeaders, crm, withToken } from "../../testing/sandboxes/hubspot.ts";

interface Page {
  results: { id: string; properties: Record<string, string | null>; archived: boolean }[];
  paging?: { next: { after: string; link: string } };
}
const page = (answer: Answer) => answer.json as unknown as Page;

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
