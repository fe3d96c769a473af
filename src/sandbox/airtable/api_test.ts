/** The sandbox's Web API over real HTTP: paging, bounds, iterator expiry, the per-base limit, errors. */
import assert from "node:assert/strict";
import type { AirtableTable } from "./data.ts";
import { answer, apiGet, connect, serve, type Served } from "../../testing/sandboxes/airtable.ts";

interface RecordsPage {
  records: { id: string; createdTime: string; fields: Record<string, unknown> }[];
  offset?: string;
}

async function session(options: Parameters<typeof serve>[0] = {}) {
  const s = serve(options);
  const { access_token } = await connect(s);
  const get = async (path: string) => await answer(await apiGet(s, access_token, path));
  return { s, token: access_token, get };
}

function bigTable(s: Served): { baseId: string; table: AirtableTable } {
  for (const base of s.control.bases) {
    const table = base.tables.find((t) => t.records.length > 100);
    if (table) return { baseId: base.id, table };
  }
  throw new Error("the seed has no table over 100 records");
}

Deno.test("whoami names the user; bases come in pages of basesPageSize with an offset", async () => {
  const { s, get } = await session({ basesPageSize: 3 });
  try {
    assert.deepEqual((await get("/v0/meta/whoami")).body, {
      id: s.control.user.id,
      scopes: ["data.records:read", "schema.bases:read"],
    });
    const first = (await get("/v0/meta/bases")).body as { bases: unknown[]; offset: string };
    assert.equal(first.bases.length, 3);
    assert.match(first.offset, /^itr[A-Za-z0-9]{14}\/app[A-Za-z0-9]{14}$/);
    const rest = (await get(`/v0/meta/bases?offset=${encodeURIComponent(first.offset)}`))
      .body as { bases: unknown[]; offset?: string };
    assert.equal(rest.offset, undefined);
    assert.deepEqual(
      [...first.bases, ...rest.bases],
      s.control.bases.map((b) => ({ id: b.id, name: b.name, permissionLevel: b.permissionLevel })),
    );
    const bad = await get("/v0/meta/bases?offset=itr123/app456");
    assert.equal(bad.status, 422);
    assert.equal((bad.body as { error: { type: string } }).error.type, "INVALID_OFFSET_VALUE");
  } finally {
    await s.close();
  }
});

Deno.test("a base schema lists tables with primary field, fields and views; unknown bases are 403", async () => {
  const { s, get } = await session();
  try {
    const base = s.control.bases[0];
    const schema = (await get(`/v0/meta/bases/${base.id}/tables`)).body as {
      tables: { id: string; name: string; primaryFieldId: string; description?: string }[];
    };
    assert.deepEqual(
      schema.tables.map((t) => [t.id, t.name, t.primaryFieldId]),
      base.tables.map((t) => [t.id, t.name, t.primaryFieldId]),
    );
    assert.equal(schema.tables[0].description, base.tables[0].description);
    assert.equal("description" in schema.tables[1], false);
    const unknown = await get("/v0/meta/bases/appDoesNotExist00/tables");
    assert.equal(unknown.status, 403);
    assert.equal(
      (unknown.body as { error: { type: string } }).error.type,
      "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND",
    );
  } finally {
    await s.close();
  }
});

Deno.test("records page by offset in a stable order; empty fields are left out; offset absent at the end", async () => {
  const { s, get } = await session();
  try {
    const { baseId, table } = bigTable(s);
    const seen: RecordsPage["records"] = [];
    const offsets: string[] = [];
    let offset: string | undefined;
    do {
      const query = offset === undefined ? "" : `&offset=${encodeURIComponent(offset)}`;
      const page = (await get(`/v0/${baseId}/${table.id}?pageSize=100${query}`))
        .body as RecordsPage;
      assert.ok(page.records.length <= 100);
      seen.push(...page.records);
      offset = page.offset;
      if (offset !== undefined) offsets.push(offset);
      s.control.resetRateLimits();
    } while (offset !== undefined);
    assert.deepEqual(seen.map((r) => r.id), table.records.map((r) => r.id));
    assert.equal(offsets.length, 2);
    for (const o of offsets) assert.match(o, /^itr[A-Za-z0-9]{14}\/rec[A-Za-z0-9]{14}$/);
    assert.equal(new Set(offsets.map((o) => o.split("/")[0])).size, 1, "one iterator per listing");
    const primary = table.fields.find((f) => f.id === table.primaryFieldId)!;
    assert.equal(seen[0].fields[primary.name], "Feature 1");
    assert.equal(primary.name in seen[3].fields, false, "an empty primary field is omitted");
    assert.equal("Done" in seen[1].fields, false, "an unchecked box is omitted");
  } finally {
    await s.close();
  }
});

Deno.test("fields[], returnFieldsByFieldId, maxRecords, names in the path and POST listRecords", async () => {
  const { s, token, get } = await session();
  try {
    const base = s.control.bases[2];
    const table = base.tables.find((t) => t.name.includes("/"))!;
    const byName = (await get(`/v0/${base.id}/${encodeURIComponent(table.name)}?pageSize=5`))
      .body as RecordsPage;
    assert.deepEqual(byName.records.map((r) => r.id), table.records.slice(0, 5).map((r) => r.id));
    const only = (await get(
      `/v0/${base.id}/${table.id}?fields%5B%5D=${table.primaryFieldId}&returnFieldsByFieldId=true`,
    )).body as RecordsPage;
    assert.deepEqual(Object.keys(only.records[0].fields), [table.primaryFieldId]);
    const capped = (await get(`/v0/${base.id}/${table.id}?maxRecords=7&pageSize=5`))
      .body as RecordsPage;
    const tail = (await get(`/v0/${base.id}/${table.id}?offset=${capped.offset}`))
      .body as RecordsPage;
    assert.equal(capped.records.length + tail.records.length, 7);
    assert.equal(tail.offset, undefined);
    const posted = await fetch(`${s.url}/v0/${base.id}/${table.id}/listRecords`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ pageSize: 3, fields: ["Name"] }),
    });
    const body = (await posted.json()) as RecordsPage;
    assert.equal(body.records.length, 3);
    assert.ok(body.offset);
  } finally {
    await s.close();
  }
});

Deno.test("pageSize above 100 or not a positive integer is 422; unknown table, view or field are refused", async () => {
  const { s, get } = await session();
  try {
    const { baseId, table } = bigTable(s);
    for (const size of ["101", "0", "-1", "abc", "2.5"]) {
      const refused = await get(`/v0/${baseId}/${table.id}?pageSize=${size}`);
      assert.equal(refused.status, 422, size);
      assert.equal(
        (refused.body as { error: { type: string } }).error.type,
        "INVALID_REQUEST_UNKNOWN",
      );
      s.control.resetRateLimits();
    }
    const expectations: [string, number, string][] = [
      [`/v0/${baseId}/tblNope`, 404, "TABLE_NOT_FOUND"],
      [`/v0/${baseId}/${table.id}?view=Kanban`, 422, "VIEW_NAME_NOT_FOUND"],
      [`/v0/${baseId}/${table.id}?fields[]=Nope`, 422, "UNKNOWN_FIELD_NAME"],
      [`/v0/${baseId}/${table.id}?filterByFormula=1`, 422, "INVALID_FILTER_BY_FORMULA"],
      [
        `/v0/${baseId}/${table.id}?offset=itrAAAAAAAAAAAAAA/recAAAAAAAAAAAAAA`,
        422,
        "INVALID_OFFSET_VALUE",
      ],
    ];
    for (const [path, status, type] of expectations) {
      const refused = await get(path);
      assert.equal(refused.status, status, path);
      assert.equal((refused.body as { error: { type: string } }).error.type, type);
      s.control.resetRateLimits();
    }
    const view = await get(`/v0/${baseId}/${table.id}?view=Grid%20view&pageSize=1`);
    assert.equal(view.status, 200);
  } finally {
    await s.close();
  }
});

Deno.test("an expired iterator answers 422 LIST_RECORDS_ITERATOR_NOT_AVAILABLE; a new listing works", async () => {
  const { s, get } = await session();
  try {
    const { baseId, table } = bigTable(s);
    const first = (await get(`/v0/${baseId}/${table.id}?pageSize=50`)).body as RecordsPage;
    await s.control.expireIterators();
    const expired = await get(`/v0/${baseId}/${table.id}?pageSize=50&offset=${first.offset}`);
    assert.equal(expired.status, 422);
    assert.deepEqual(expired.body, { error: { type: "LIST_RECORDS_ITERATOR_NOT_AVAILABLE" } });
    assert.equal(s.control.counters.expiredIterators, 1);
    const again = (await get(`/v0/${baseId}/${table.id}?pageSize=50`)).body as RecordsPage;
    assert.equal(again.records[0].id, table.records[0].id);
    const next = await get(`/v0/${baseId}/${table.id}?pageSize=50&offset=${again.offset}`);
    assert.equal(next.status, 200);
    const other = s.control.bases[0].tables[1];
    const foreign = await get(`/v0/${s.control.bases[0].id}/${other.id}?offset=${again.offset}`);
    assert.equal(foreign.status, 422);
  } finally {
    await s.close();
  }
});
