import assert from "node:assert/strict";
import { makeItem } from "../contract/item.ts";
import { contentHash, digestEntry, digestLine } from "./digests.ts";

Deno.test("a digest line gives back the item's id, content hash and named parent exactly", () => {
  const item = makeItem({ id: 'rec\t1\n"x"\\', type: "record", name: "Tab\there, new\nline" });
  const line = digestLine(item, 'parent\t"1"');
  assert.ok(!line.includes("\n"), "one line per item");
  assert.deepEqual(digestEntry(line), {
    id: item.id,
    hash: contentHash(item),
    namedParent: 'parent\t"1"',
  });
  assert.equal(digestEntry(digestLine(item, undefined))?.namedParent, undefined);
  assert.equal(digestEntry("record\t\tname only"), null, "a line from before ids were kept");
});

Deno.test("the content hash changes with any field and is the same for the same content", () => {
  const item = makeItem({ id: "a", type: "page", name: "Plan" });
  assert.equal(contentHash(item), contentHash({ ...item }));
  assert.match(contentHash(item), /^[0-9a-f]{16}$/);
  const variants = [
    { ...item, name: "Plan." },
    { ...item, parent_path_or_name: "Home" },
    { ...item, last_modified_time: "2026-12-04T00:00:00.000Z" },
    { ...item, visibility: false },
  ];
  const hashes = new Set([item, ...variants].map(contentHash));
  assert.equal(hashes.size, variants.length + 1);
});
