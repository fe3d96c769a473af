import assert from "node:assert/strict";
import { makeItem } from "../contract/item.ts";
import { createMemoryStore } from "../store/memory_store.ts";
import type { Store } from "../store/store.ts";
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

/** Writes a generation's change chunks and commits them, as a sync's last step does. */
async function logGeneration(
  store: Store,
  log: ChangeLog,
  generation: number,
  chunks: ChangeEntry[][],
): Promise<void> {
  const commit = await log.commit(generation, chunks.length, chunks.flat().length);
  await store.setMany([...chunks.map((c, i) => log.chunkWrite(generation, i, c)), commit.write]);
  await store.deleteMany(commit.deletes);
}

Deno.test("each item comes once, in its latest state, across generations and pages", async () => {
  let now = 0;
  const store = createMemoryStore();
  const log = new ChangeLog(store, "t", () => now);
  await logGeneration(store, log, 2, [[upsert("a", "a1"), upsert("b", "b1")], [upsert("c", "c1")]]);
  await logGeneration(store, log, 3, [[upsert("a", "a2"), deletion("c")]]);

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
  await logGeneration(store, log, 4, [[upsert("d", "d1")]]);
  // The expired generations' chunks are gone from the store too.
  assert.equal(await store.get("t:changes:2:0"), null);
  await assert.rejects(log.read({ generation: 2, offset: 0 }, 10), SinceExpiredError);
  await assert.rejects(log.read({ generation: 3, offset: 0 }, 10), SinceExpiredError);
  assert.deepEqual((await log.read({ generation: 4, offset: 0 }, 10)).changes.map((c) => c.id), [
    "d",
  ]);
});
