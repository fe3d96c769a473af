import assert from "node:assert/strict";
import { makeItem } from "../contract/item.ts";
import { createMemoryStore } from "../store/memory_store.ts";
import { type ChangeEntry, ChangeLog, HISTORY_MS, SinceExpiredError } from "./changes.ts";

const upsert = (id: string, name: string): ChangeEntry => ({
  action: "upsert",
  id,
  item: makeItem({ id, type: "page", name }),
  changed_at: "2026-12-03T00:00:00.000Z",
});
const deletion = (id: string): ChangeEntry => ({
  action: "delete",
  id,
  item: null,
  changed_at: "2026-12-03T00:00:00.000Z",
});

Deno.test("each item comes once, in its latest state, across generations and pages", async () => {
  let now = 0;
  const log = new ChangeLog(createMemoryStore(), "t", () => now);
  await log.writeChunk(2, 0, [upsert("a", "a1"), upsert("b", "b1")]);
  await log.writeChunk(2, 1, [upsert("c", "c1")]);
  await log.commit(2, 2, 3);
  await log.writeChunk(3, 0, [upsert("a", "a2"), deletion("c")]);
  await log.commit(3, 1, 2);

  const all = await log.read({ generation: 2, offset: 0 }, 10);
  assert.deepEqual(all.changes.map((c) => [c.id, c.action, c.item?.name ?? null]), [
    ["b", "upsert", "b1"],
    ["a", "upsert", "a2"],
    ["c", "delete", null],
  ]);
  assert.equal(all.hasMore, false);
  assert.deepEqual(all.next, { generation: 4, offset: 0 });

  const seen: string[] = [];
  let at = { generation: 2, offset: 0 };
  for (let more = true; more;) {
    const page = await log.read(at, 1);
    seen.push(...page.changes.map((c) => `${c.id}:${c.item?.name ?? "deleted"}`));
    at = page.next;
    more = page.hasMore;
  }
  assert.deepEqual(seen, ["b:b1", "a:a2", "c:deleted"]);

  const later = await log.read({ generation: 3, offset: 1 }, 10);
  assert.deepEqual(later.changes.map((c) => c.id), ["c"]);
  assert.deepEqual((await log.read({ generation: 4, offset: 0 }, 10)).changes, []);

  now += HISTORY_MS + 1;
  await log.writeChunk(4, 0, [upsert("d", "d1")]);
  await log.commit(4, 1, 1);
  await assert.rejects(log.read({ generation: 2, offset: 0 }, 10), SinceExpiredError);
  await assert.rejects(log.read({ generation: 3, offset: 0 }, 10), SinceExpiredError);
  assert.deepEqual((await log.read({ generation: 4, offset: 0 }, 10)).changes.map((c) => c.id), [
    "d",
  ]);
});
