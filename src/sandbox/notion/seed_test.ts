/** The seeded workspaces have the shapes the tests and the hub rely on. */
import assert from "node:assert/strict";
import { type NotionObject, titleOf } from "./data.ts";
import { LARGE_DATABASE_ROWS, seedDefault, seedGenerated } from "./seed.ts";

const DASHED = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function checkObjects(objects: NotionObject[]) {
  for (const o of objects) {
    assert.match(o.id, DASHED);
    assert.ok(o.url.endsWith(o.id.replaceAll("-", "")), o.url);
    assert.ok(o.url.startsWith("https://www.notion.so/"));
    assert.match(o.created_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/);
    assert.ok(o.last_edited_time >= o.created_time);
    if (o.object === "page") {
      const titles = Object.values(o.properties).filter((p) => p.type === "title");
      assert.equal(titles.length, 1);
    }
  }
}

Deno.test("the default workspace has the nesting, sizes and awkward titles it promises", () => {
  const data = seedDefault();
  checkObjects(data.objects);
  const byId = new Map(data.objects.map((o) => [o.id, o]));
  const depth = (o: NotionObject): number => {
    const p = o.parent;
    const parentId = p.type === "page_id"
      ? p.page_id
      : p.type === "database_id"
      ? p.database_id
      : null;
    const parent = parentId === null ? undefined : byId.get(parentId);
    return parent === undefined ? 0 : 1 + depth(parent);
  };
  assert.ok(data.objects.some((o) => o.object === "page" && depth(o) >= 3));
  const rows = (db: NotionObject) =>
    data.objects.filter((o) => o.parent.type === "database_id" && o.parent.database_id === db.id);
  const databases = data.objects.filter((o) => o.object === "database");
  assert.ok(
    databases.some((db) => rows(db).length === LARGE_DATABASE_ROWS && LARGE_DATABASE_ROWS > 100),
  );
  const titleKeys = new Set(
    databases.filter((db) => rows(db).length > 0).map((db) =>
      Object.keys(rows(db)[0].properties).find((k) => rows(db)[0].properties[k].type === "title")
    ),
  );
  assert.ok(titleKeys.size >= 3, [...titleKeys].join());
  const titles = data.objects.map(titleOf);
  assert.ok(titles.includes(""));
  assert.ok(titles.some((t) => t.length === 2000));
  assert.ok(titles.some((t) => /[\u0590-\u05ff]/.test(t)));
  assert.ok(titles.some((t) => /\p{Extended_Pictographic}/u.test(t)));
  assert.ok(data.objects.some((o) => o.parent.type === "block_id"));
  const hidden = data.unshared.map((o) => o.id);
  assert.ok(
    data.objects.some((o) => o.parent.type === "page_id" && hidden.includes(o.parent.page_id)),
  );
  assert.deepEqual(seedDefault().objects.map((o) => o.id), data.objects.map((o) => o.id));
});

Deno.test("a generated workspace has the asked size and is the same for the same seed", () => {
  const data = seedGenerated(3, 500);
  checkObjects(data.objects);
  assert.equal(data.objects.filter((o) => o.object === "page").length, 500);
  assert.ok(data.objects.some((o) => o.object === "database"));
  assert.deepEqual(seedGenerated(3, 500).objects.map((o) => o.id), data.objects.map((o) => o.id));
  assert.notDeepEqual(
    seedGenerated(4, 500).objects.map((o) => o.id),
    data.objects.map((o) => o.id),
  );
});
