/**
 * Airtable's records chain when its list iterators expire (LIST_RECORDS_ITERATOR_NOT_AVAILABLE):
 * the listing restarts and skips what was served, with bounded restarts, on a fake table.
 */
import assert from "node:assert/strict";
import { ProviderStatusError } from "../errors.ts";
import { runChains } from "../items/chains.ts";
import { airtable } from "./airtable.ts";
import type { RecordsContext } from "./airtable_cursors.ts";
import type { ApiRequest, ProviderApi } from "../contract/calls.ts";
import type { ChainPosition } from "../contract/chains.ts";
import { fakeApi, none, recordsAt } from "../testing/airtable_fake_api.ts";

/**
 * One table of `count` records served as Airtable serves it: pages by offset ("itr…/rec…"),
 * one iterator per listing, iterators a test can expire, and records a test can delete.
 */
function fakeTable(count: number) {
  const ids = Array.from({ length: count }, (_, i) => `rec${String(i).padStart(14, "0")}`);
  const live = new Set<string>();
  let iterators = 0;
  const expiredBody = { error: { type: "LIST_RECORDS_ITERATOR_NOT_AVAILABLE" } };
  const reply = (request: ApiRequest) => {
    const size = Number(request.query?.pageSize);
    assert.ok(size >= 1 && size <= 100);
    let start = 0;
    let iterator = `itr${++iterators}`;
    const offset = request.query?.offset;
    if (offset !== undefined) {
      const [name, first] = offset.split("/");
      if (!live.has(name)) throw new ProviderStatusError("expired", 422, expiredBody);
      iterator = name;
      start = ids.indexOf(first);
    }
    live.add(iterator);
    const page = ids.slice(start, start + size);
    const following = ids[start + size];
    return {
      records: page.map((id) => ({ id, createdTime: "2024-01-01T00:00:00.000Z", fields: {} })),
      ...(following === undefined ? {} : { offset: `${iterator}/${following}` }),
    };
  };
  return {
    reply,
    api: fakeApi(reply),
    ids,
    expire: () => live.clear(),
    remove: (id: string) => ids.splice(ids.indexOf(id), 1),
  };
}

const TABLE: RecordsContext = {
  baseId: "app1",
  tableId: "tbl1",
  tableName: "T",
  primaryFieldId: "",
};

/** Lists one records chain through runChains in hub pages of `limit`, calling `between` after each. */
async function listTable(
  api: ProviderApi,
  limit: number | null,
  between: (page: number) => void = () => {},
): Promise<string[]> {
  const seen: string[] = [];
  let positions: ChainPosition[] = [recordsAt(null, TABLE)];
  for (let page = 1; positions.length > 0; page++) {
    const result = await runChains({
      positions,
      limit,
      callBudget: null,
      maxPageSize: airtable.maxPageSize,
      fetchPage: (position, size) => airtable.fetchPage(position, size, api, none),
    });
    if (limit !== null) assert.ok(result.items.length <= limit);
    seen.push(...result.items.map((i) => i.id));
    positions = result.remaining;
    between(page);
  }
  return seen;
}

Deno.test("an expired iterator mid-table restarts the listing and skips what was served", async () => {
  for (const limit of [7, 30, 100]) {
    const t = fakeTable(237);
    const seen = await listTable(t.api, limit, (page) => {
      if (page % 2 === 1) t.expire();
    });
    assert.deepEqual(seen, t.ids, `limit ${limit}`);
    const restarts = t.api.requests.filter((r) => r.query?.offset === undefined).length;
    assert.ok(restarts > 1, "the listing did restart");
  }
});

Deno.test("an iterator expiring during one unpaged run loses and repeats nothing", async () => {
  const t = fakeTable(450);
  let calls = 0;
  const expiring = fakeApi((request) => {
    if (++calls === 4) t.expire();
    return t.reply(request);
  });
  const seen = await listTable(expiring, null);
  assert.deepEqual(seen, t.ids);
  // Three pages served, the fourth refused; from the start, three pages walked back to the
  // last record served, then the remaining two.
  assert.equal(expiring.requests.length, 9);
});

Deno.test("restarts are bounded, and a vanished last record is reported, not guessed around", async () => {
  const t = fakeTable(250);
  const first = await airtable.fetchPage(recordsAt(null, TABLE), 100, t.api, none);
  const alwaysExpired = fakeApi(() => {
    throw new ProviderStatusError("expired", 422, {
      error: { type: "LIST_RECORDS_ITERATOR_NOT_AVAILABLE" },
    });
  });
  let cursor = first.next;
  let restarts = 0;
  await assert.rejects(async () => {
    while (true) {
      const page = await airtable.fetchPage(recordsAt(cursor, TABLE), 100, alwaysExpired, none);
      assert.equal(page.items.length, 0);
      cursor = page.next;
      restarts++;
    }
  }, /kept expiring/);
  assert.equal(restarts, 3);

  t.expire();
  t.remove(first.items.at(-1)!.id);
  let at = (await airtable.fetchPage(recordsAt(first.next, TABLE), 100, t.api, none)).next;
  await assert.rejects(async () => {
    while (at !== null) {
      at = (await airtable.fetchPage(recordsAt(at, TABLE), 100, t.api, none)).next;
    }
  }, /changed while it was listed/);
});
