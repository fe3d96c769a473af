/**
 * The sandbox's change feed over real HTTP: edits through POST /edit (JSON and the page's form)
 * move LAST_MODIFIED_TIME(), filterByFormula lists exactly what changed (paged, its offsets
 * bound to the formula), an id-only listing shows deletions, and the metadata endpoints show
 * added, renamed and deleted bases and tables.
 */
import assert from "node:assert/strict";
import { answer, apiGet, connect, serve, type Served } from "../../testing/sandboxes/airtable.ts";

interface RecordsPage {
  records: { id: string; fields: Record<string, unknown> }[];
  offset?: string;
}

async function session(clock: () => number) {
  const s = serve({ clock });
  const { access_token } = await connect(s);
  const get = async (path: string) => await answer(await apiGet(s, access_token, path));
  return { s, get };
}

function edit(s: Served, body: Record<string, string>) {
  return fetch(`${s.url}/edit`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  }).then(answer);
}

const since = (iso: string) =>
  `filterByFormula=${encodeURIComponent(`IS_AFTER(LAST_MODIFIED_TIME(), '${iso}')`)}`;

Deno.test("edits move LAST_MODIFIED_TIME(); filterByFormula lists exactly the changed records", async () => {
  let now = Date.UTC(2026, 0, 5, 12, 0);
  const { s, get } = await session(() => now);
  try {
    const base = s.control.bases[0];
    const table = base.tables[0];
    const path = `/v0/${base.id}/${table.id}`;
    const before = new Date(now).toISOString();
    assert.deepEqual((await get(`${path}?${since(before)}`)).body, { records: [] });

    now += 60_000;
    const renamed = table.records[3].id;
    const touched = table.records[4].id;
    const deleted = table.records[5].id;
    assert.equal(
      (await edit(s, { action: "rename_record", id: renamed, name: "New" })).status,
      200,
    );
    assert.equal((await edit(s, { action: "touch_record", id: touched })).status, 200);
    assert.equal((await edit(s, { action: "delete_record", id: deleted })).status, 200);
    const added = await edit(s, { action: "add_record", id: table.id, name: "Added" });
    assert.equal(added.status, 200);
    const addedId = (added.body as { id: string }).id;

    const changed = (await get(`${path}?${since(before)}&fields[]=${table.primaryFieldId}`))
      .body as RecordsPage;
    assert.deepEqual(changed.records.map((r) => r.id), [renamed, touched, addedId]);
    assert.deepEqual(changed.records[0].fields, { Name: "New" });
    const later = new Date(now).toISOString();
    assert.deepEqual((await get(`${path}?${since(later)}`)).body, { records: [] });

    // An id-only listing (the primary field only) no longer has the deleted record.
    const ids: string[] = [];
    let offset: string | undefined;
    do {
      const page = (await get(
        `${path}?fields[]=${table.primaryFieldId}${offset ? `&offset=${offset}` : ""}`,
      )).body as RecordsPage;
      ids.push(...page.records.map((r) => r.id));
      offset = page.offset;
      s.control.resetRateLimits();
    } while (offset !== undefined);
    assert.equal(ids.length, table.records.length);
    assert.ok(!ids.includes(deleted) && ids.includes(addedId));

    // A filtered listing pages with offsets that belong to its formula.
    now += 60_000;
    for (const record of table.records.slice(0, 150)) {
      assert.equal((await edit(s, { action: "touch_record", id: record.id })).status, 200);
    }
    const first = (await get(`${path}?${since(later)}`)).body as RecordsPage;
    assert.equal(first.records.length, 100);
    const rest = (await get(`${path}?${since(later)}&offset=${first.offset}`)).body as RecordsPage;
    assert.equal(rest.records.length, 50);
    assert.equal(rest.offset, undefined);
    const foreign = await get(`${path}?offset=${first.offset}`);
    assert.equal(foreign.status, 422);
    const bad = await get(`${path}?filterByFormula=${encodeURIComponent("{Name} = 'x'")}`);
    assert.equal(bad.status, 422);
    assert.equal(
      (bad.body as { error: { type: string } }).error.type,
      "INVALID_FILTER_BY_FORMULA",
    );
  } finally {
    await s.close();
  }
});

Deno.test("added, renamed and deleted bases and tables show in the metadata endpoints", async () => {
  const { s, get } = await session(Date.now);
  try {
    const [first, second] = s.control.bases;
    const base = await edit(s, { action: "add_base", name: "Fresh base" });
    const baseId = (base.body as { id: string }).id;
    const table = await edit(s, { action: "add_table", id: first.id, name: "Fresh table" });
    const tableId = (table.body as { id: string }).id;
    assert.equal(
      (await edit(s, { action: "rename_table", id: first.tables[0].id, name: "T" }))
        .status,
      200,
    );
    assert.equal((await edit(s, { action: "rename_base", id: first.id, name: "B" })).status, 200);
    assert.equal((await edit(s, { action: "delete_base", id: second.id })).status, 200);
    const gone = first.tables[1].id;
    assert.equal((await edit(s, { action: "delete_table", id: gone })).status, 200);

    const bases = (await get("/v0/meta/bases")).body as { bases: { id: string; name: string }[] };
    assert.ok(bases.bases.some((b) => b.id === baseId && b.name === "Fresh base"));
    assert.ok(!bases.bases.some((b) => b.id === second.id));
    assert.equal(bases.bases.find((b) => b.id === first.id)?.name, "B");
    const tables = (await get(`/v0/meta/bases/${first.id}/tables`)).body as {
      tables: { id: string; name: string }[];
    };
    assert.equal(tables.tables[0].name, "T");
    assert.ok(tables.tables.some((t) => t.id === tableId));
    assert.ok(!tables.tables.some((t) => t.id === gone));
    assert.equal((await get(`/v0/${second.id}/${second.tables[0].id}`)).status, 403);
    const fresh = (await get(`/v0/meta/bases/${baseId}/tables`)).body as {
      tables: { name: string }[];
    };
    assert.deepEqual(fresh.tables.map((t) => t.name), ["Table 1"]);
  } finally {
    await s.close();
  }
});

Deno.test("the edit page shows the account and takes its form; bad or impossible edits say why", async () => {
  const { s } = await session(Date.now);
  try {
    const base = s.control.bases[0];
    const page = await fetch(`${s.url}/edit`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.ok(html.includes(base.tables[0].id) && html.includes(`action="edit"`));
    const posted = await fetch(`${s.url}/edit`, {
      method: "POST",
      body: new URLSearchParams({ action: "rename_table", id: base.tables[0].id, name: "Ideas" }),
    });
    assert.equal(posted.status, 200);
    assert.match(await posted.text(), /Renamed table/);
    assert.equal(base.tables[0].name, "Ideas");

    assert.equal(
      (await edit(s, { action: "rename_record", id: "recNope", name: "x" })).status,
      404,
    );
    assert.equal((await edit(s, { action: "rename_record", id: "", name: "x" })).status, 400);
    assert.equal((await edit(s, { action: "explode" })).status, 400);
    // The Releases table's primary field is a number: a typed name cannot go there.
    const numbers = base.tables[1];
    const refused = await edit(s, { action: "add_record", id: numbers.id, name: "x" });
    assert.equal(refused.status, 422);
    assert.match((refused.body as { message: string }).message, /number/);
  } finally {
    await s.close();
  }
});
