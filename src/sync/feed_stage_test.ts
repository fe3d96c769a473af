/** Applying staged changes to a previous copy, batch by batch: the merge alone. */
import assert from "node:assert/strict";
import { type IntegrationItem, makeItem } from "../contract/item.ts";
import { mergeBatch, type StagedChanges } from "./feed_stage.ts";

function item(id: string, name: string): IntegrationItem {
  return makeItem({
    id,
    type: "page",
    name,
    creation_time: null,
    last_modified_time: null,
    url: null,
    visibility: true,
  });
}

const same = (a: IntegrationItem, b: IntegrationItem) => JSON.stringify(a) === JSON.stringify(b);
const AT = "2026-12-03T12:00:00.000Z";

function staged(upserts: IntegrationItem[], deletions: string[], present: string[] | null) {
  return {
    upserts: new Map(upserts.map((u) => [u.id, u])),
    deletions: new Set(deletions),
    present: present === null ? null : new Set(present),
    matched: new Set(),
  } satisfies StagedChanges;
}

Deno.test("edits replace in place, deletions drop, new items come last, unchanged ones are not logged", () => {
  const changes = staged(
    [item("a", "A2"), item("c", "C"), item("new", "New"), item("gone", "Gone")],
    ["b", "gone", "never-copied"],
    null,
  );
  const first = mergeBatch(changes, [item("a", "A1"), item("b", "B")], false, AT, same);
  assert.deepEqual(first.items.map((i) => i.name), ["A2"]);
  assert.deepEqual(first.changes.map((c) => [c.action, c.id]), [["upsert", "a"], ["delete", "b"]]);
  const last = mergeBatch(changes, [item("c", "C"), item("d", "D")], true, AT, same);
  assert.deepEqual(last.items.map((i) => i.name), ["C", "D", "New"]);
  // c came back unchanged (an overlap): in the copy, not in the log; a deleted upsert is not added.
  assert.deepEqual(last.changes.map((c) => [c.action, c.id]), [["upsert", "new"]]);
  assert.deepEqual(last.matched, ["c"]);
});

Deno.test("with a deletion check, what no page named is deleted", () => {
  const changes = staged([item("b", "B2")], [], ["a"]);
  const merged = mergeBatch(
    changes,
    [item("a", "A"), item("b", "B"), item("c", "C")],
    true,
    AT,
    same,
  );
  assert.deepEqual(merged.items.map((i) => i.name), ["A", "B2"]);
  assert.deepEqual(merged.changes.map((c) => [c.action, c.id]), [["upsert", "b"], [
    "delete",
    "c",
  ]]);
});
