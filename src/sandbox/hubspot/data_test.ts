/** The seeded records: deterministic, realistic enough, and with the awkward cases a hub must survive. */
import assert from "node:assert/strict";
import { type CrmRecord, DEFAULT_COUNTS, LAST_MODIFIED, type ObjectType, seedCrm } from "./data.ts";

const TYPES: ObjectType[] = ["contacts", "companies", "deals"];
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

Deno.test("the same seed gives the same records; another seed gives others", () => {
  assert.deepEqual(seedCrm(7, DEFAULT_COUNTS), seedCrm(7, DEFAULT_COUNTS));
  assert.notDeepEqual(seedCrm(7, DEFAULT_COUNTS), seedCrm(8, DEFAULT_COUNTS));
  const small = seedCrm(3, { contacts: 5, companies: 0, deals: 2 });
  assert.deepEqual([small.contacts.length, small.companies.length, small.deals.length], [5, 0, 2]);
});

Deno.test("IDs are ascending numeric strings, and overlap across object types", () => {
  const data = seedCrm(1, DEFAULT_COUNTS);
  for (const type of TYPES) {
    const ids = data[type].map((r) => Number(r.id));
    assert.equal(data[type].length, DEFAULT_COUNTS[type]);
    assert.ok(data[type].every((r) => /^[1-9]\d*$/.test(r.id)));
    assert.ok(ids.every((id, i) => i === 0 || id > ids[i - 1]), type);
    assert.equal(ids[0], 101);
  }
  const contactIds = new Set(data.contacts.map((r) => r.id));
  assert.ok(data.companies.some((r) => contactIds.has(r.id)));
  assert.ok(data.deals.some((r) => contactIds.has(r.id)));
});

Deno.test("timestamps are ISO UTC with milliseconds and properties are strings or null", () => {
  const data = seedCrm(1, DEFAULT_COUNTS);
  for (const type of TYPES) {
    for (const record of data[type]) {
      assert.match(record.createdAt, ISO_MS);
      assert.match(record.updatedAt, ISO_MS);
      assert.ok(record.updatedAt >= record.createdAt);
      assert.equal(record.properties.createdate, record.createdAt);
      assert.equal(record.properties[LAST_MODIFIED[type]], record.updatedAt);
      assert.equal(record.properties.hs_object_id, record.id);
      for (const value of Object.values(record.properties)) {
        assert.ok(value === null || typeof value === "string");
      }
    }
    const archived = data[type].filter((r) => r.archived);
    assert.ok(archived.length >= 2 && archived.length < data[type].length / 10, type);
    assert.ok(archived.every((r) => r.archivedAt !== undefined));
  }
});

Deno.test("the awkward cases are there", () => {
  const { contacts, companies, deals } = seedCrm(1, DEFAULT_COUNTS);
  const p = (r: CrmRecord) => r.properties;
  const emailOnly = contacts.filter((r) => !p(r).firstname && !p(r).lastname && p(r).email);
  assert.ok(emailOnly.length >= 10);
  assert.ok(contacts.some((r) => !p(r).firstname && !p(r).lastname && !p(r).email));
  assert.ok(contacts.some((r) => /\p{Extended_Pictographic}/u.test(p(r).firstname ?? "")));
  assert.ok(contacts.some((r) => /[À-ž]/.test(`${p(r).firstname}${p(r).lastname}`)));
  assert.ok(contacts.some((r) => (p(r).lastname ?? "").length > 255));
  assert.ok(contacts.some((r) => /[<>&"]/.test(`${p(r).firstname}${p(r).lastname}`)));
  const emails = contacts.map((r) => p(r).email?.toLowerCase()).filter((e) => e !== undefined);
  assert.equal(new Set(emails).size, emails.length, "e-mails are unique, as HubSpot enforces");
  assert.ok(companies.some((r) => p(r).name === null && p(r).domain !== null));
  assert.ok(companies.some((r) => p(r).domain === null));
  assert.ok(
    companies.every((r) => p(r).domain === null || /^[a-z0-9-]+\.example$/.test(p(r).domain!)),
  );
  assert.ok(deals.some((r) => p(r).amount === null));
  assert.ok(deals.some((r) => /^\d+\.\d+$/.test(p(r).amount ?? "")));
  assert.ok(deals.every((r) => p(r).pipeline === "default" && p(r).dealstage));
});
