/** The seeded accounts: the hand-shaped default and the generated ones for benchmarks. */
import assert from "node:assert/strict";
import { createAirtableSandbox } from "./sandbox.ts";
import { seedAirtable } from "./seed.ts";

const ID = (prefix: string) => new RegExp(`^${prefix}[A-Za-z0-9]{14}$`);

Deno.test("the default seed has awkward bases, a table over 100 records and varied primary fields", () => {
  const bases = seedAirtable(7, null);
  assert.ok(bases.length >= 3 && bases.length <= 4);
  for (const base of bases) {
    assert.match(base.id, ID("app"));
    assert.ok(base.tables.length >= 1 && base.tables.length <= 4);
  }
  assert.ok(bases.some((b) => /\p{Extended_Pictographic}/u.test(b.name)));
  assert.ok(bases.some((b) => b.name.length > 200));
  assert.ok(bases.some((b) => /[<>&"]/.test(b.name)));
  const tables = bases.flatMap((b) => b.tables);
  assert.ok(tables.some((t) => t.records.length > 100));
  assert.ok(tables.some((t) => t.records.length === 0));
  const primaryTypes = new Set(
    tables.map((t) => t.fields.find((f) => f.id === t.primaryFieldId)!.type),
  );
  for (
    const type of [
      "singleLineText",
      "number",
      "formula",
      "multipleRecordLinks",
      "singleCollaborator",
    ]
  ) {
    assert.ok(primaryTypes.has(type), type);
  }
  const records = tables.flatMap((t) => t.records.map((r) => ({ t, r })));
  assert.ok(records.some(({ t, r }) => !(t.primaryFieldId in r.fields)), "some primaries empty");
  for (const { t, r } of records) {
    assert.match(r.id, ID("rec"));
    assert.ok(!Number.isNaN(Date.parse(r.createdTime)));
    for (const value of Object.values(r.fields)) {
      assert.ok(value !== "" && value !== false && value !== null, "empty values are omitted");
      assert.ok(!(Array.isArray(value) && value.length === 0));
    }
    const linked = t.fields.find((f) => f.type === "multipleRecordLinks");
    if (linked && Array.isArray(r.fields[linked.id])) {
      const target = tables.find((x) => x.id === linked.options?.linkedTableId)!;
      for (const id of r.fields[linked.id] as string[]) {
        assert.ok(target.records.some((x) => x.id === id), "links point at real records");
      }
    }
  }
  const all = records.map(({ r }) => r.id);
  assert.equal(new Set(all).size, all.length);
});

Deno.test("the seed number reshuffles ids but keeps the shape; the same seed gives the same account", () => {
  const a = seedAirtable(7, null);
  assert.deepEqual(seedAirtable(7, null), a);
  const b = seedAirtable(8, null);
  assert.notEqual(b[0].id, a[0].id);
  assert.deepEqual(b.map((x) => x.name), a.map((x) => x.name));
  assert.deepEqual(
    b.map((x) => x.tables.map((t) => t.records.length)),
    a.map((x) => x.tables.map((t) => t.records.length)),
  );
});

Deno.test("size knobs generate an account of that size, flat or (deprecated) grouped", () => {
  const app = { clientId: "c", clientSecret: "s", redirectUris: [] };
  const flat = createAirtableSandbox({ ...app, bases: 2, tablesPerBase: 3, recordsPerTable: 150 });
  assert.equal(flat.control.bases.length, 2);
  assert.ok(flat.control.bases.every((b) => b.tables.length === 3));
  assert.ok(flat.control.bases.every((b) => b.tables.every((t) => t.records.length === 150)));
  const grouped = createAirtableSandbox({
    ...app,
    size: { bases: 1, tablesPerBase: 1, recordsPerTable: 5 },
  });
  assert.equal(grouped.control.bases[0].tables[0].records.length, 5);
  const one = createAirtableSandbox({ ...app, recordsPerTable: 1 });
  assert.equal(one.control.bases.length, 3, "other knobs take their defaults");
});
