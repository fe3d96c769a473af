import assert from "node:assert/strict";
import { makeItem } from "../contract/item.ts";
import { contentHash, digestLine, entryLine, parseEntry } from "./digests.ts";

Deno.test("an entry line gives back the item's id, content hash and named parent exactly", () => {
  const item = makeItem({ id: 'rec\t1\n"x"\\', type: "record", name: "Tab\there, new\nline" });
  const line = entryLine(item, 'parent\t"1"');
  assert.ok(!line.includes("\n"), "one line per item");
  assert.deepEqual(parseEntry(line), {
    id: item.id,
    hash: contentHash(item),
    namedParent: 'parent\t"1"',
  });
  assert.equal(parseEntry(entryLine(item, undefined)).namedParent, undefined);
  assert.equal(digestLine(item).split("\t").length, 3, "a digest line: type, modified, name");
  assert.ok(!digestLine(item).includes("\n"));
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
