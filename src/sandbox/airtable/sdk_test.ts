/**
 * Fidelity with code no one here wrote: Airtable's official JS client (npm `airtable`), given an
 * access token from the sandbox's own OAuth flow and the sandbox's URL, reads every record of
 * every table and sees the seeded values, its errors and its own 429 back-off.
 */
import assert from "node:assert/strict";
import Airtable from "airtable";
import type { AirtableTable } from "./data.ts";
import { connect, serve, type Served } from "../../testing/sandboxes/airtable.ts";

/** The seeded record as the client should see it: fields by name, empty ones absent. */
function expectedFields(table: AirtableTable, fields: Record<string, unknown>) {
  const named: Record<string, unknown> = {};
  for (const field of table.fields) {
    if (field.id in fields) named[field.name] = fields[field.id];
  }
  return named;
}

async function client(s: Served): Promise<Airtable> {
  const { access_token } = await connect(s);
  return new Airtable({ apiKey: access_token, endpointUrl: s.url });
}

Deno.test("the official client lists every record of every table with the seeded fields", async () => {
  // Short penalty: the client retries a 429 after a random wait of up to 5 s.
  const s = serve({ rateLimit: { perBasePerSecond: 5, penaltyMs: 200 } });
  try {
    const airtable = await client(s);
    let records = 0;
    for (const base of s.control.bases) {
      for (const table of base.tables) {
        const listed = await airtable.base(base.id).table(table.id).select({ pageSize: 100 }).all();
        assert.deepEqual(listed.map((r) => r.id), table.records.map((r) => r.id), table.name);
        for (const [i, record] of listed.entries()) {
          assert.deepEqual(record.fields, expectedFields(table, table.records[i].fields));
          assert.equal(record._rawJson.createdTime, table.records[i].createdTime);
        }
        records += listed.length;
      }
    }
    assert.ok(records > 400);
    assert.ok(s.control.bases.some((b) => b.tables.some((t) => t.records.length > 100)));
  } finally {
    await s.close();
  }
});

Deno.test("small pages: the client rides out the per-base 429 and still gets each record once", async () => {
  const s = serve({ rateLimit: { perBasePerSecond: 5, penaltyMs: 200 } });
  try {
    const airtable = await client(s);
    const base = s.control.bases[0];
    const table = base.tables.find((t) => t.records.length > 100)!;
    // 237 records by 40: six requests in well under a second, one over the limit.
    const listed = await airtable.base(base.id).table(table.id).select({ pageSize: 40 }).all();
    assert.deepEqual(listed.map((r) => r.id), table.records.map((r) => r.id));
    assert.ok(s.control.counters.rateLimited >= 1, "the client met the limit");
  } finally {
    await s.close();
  }
});

Deno.test("by table name, with fields and maxRecords, over GET and POST listRecords, and find()", async () => {
  const s = serve();
  try {
    const airtable = await client(s);
    const base = s.control.bases[2];
    const table = base.tables.find((t) => t.name.includes("/"))!;
    const ids = table.records.slice(0, 23).map((r) => r.id);
    for (const method of ["get", "post"] as const) {
      const listed = await airtable.base(base.id).table(table.name)
        .select({ pageSize: 10, maxRecords: 23, fields: ["Name"], method }).all();
      assert.deepEqual(listed.map((r) => r.id), ids, method);
      assert.ok(listed.every((r) => Object.keys(r.fields).every((k) => k === "Name")));
      s.control.resetRateLimits();
    }
    const one = await airtable.base(base.id).table(table.id).find(ids[4]);
    assert.deepEqual(one.fields, expectedFields(table, table.records[4].fields));
  } finally {
    await s.close();
  }
});

Deno.test("the client surfaces the sandbox's errors with Airtable's types and statuses", async () => {
  const s = serve();
  try {
    const airtable = await client(s);
    const base = s.control.bases[0];
    const cases: [() => Promise<unknown>, string, number][] = [
      [() => airtable.base(base.id).table("No such table").select().all(), "NOT_FOUND", 404],
      [
        () => airtable.base(base.id).table(base.tables[0].id).select({ pageSize: 101 }).all(),
        "INVALID_REQUEST_UNKNOWN",
        422,
      ],
      [
        () => airtable.base(base.id).table(base.tables[0].id).select({ view: "Kanban" }).all(),
        "VIEW_NAME_NOT_FOUND",
        422,
      ],
      [
        () =>
          new Airtable({ apiKey: "not-a-token", endpointUrl: s.url }).base(base.id)
            .table(base.tables[0].id).select().all(),
        "AUTHENTICATION_REQUIRED",
        401,
      ],
      [() => airtable.base("appNotMine0000000").table("x").select().all(), "NOT_AUTHORIZED", 403],
    ];
    for (const [run, type, status] of cases) {
      await assert.rejects(run, (error: { error: string; statusCode: number }) => {
        assert.equal(error.error, type);
        assert.equal(error.statusCode, status);
        return true;
      });
    }
  } finally {
    await s.close();
  }
});
