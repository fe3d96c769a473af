/** Airtable's mapping to items and its chains (bases, tables, records), from recorded payloads, with fake APIs. */
import assert from "node:assert/strict";
import type { z } from "zod";
import { ProviderError, ProviderStatusError } from "../errors.ts";
import { runChains } from "../items/chains.ts";
import type { IntegrationItem } from "../contract/item.ts";
import { airtable } from "./airtable.ts";
import { cellText } from "./airtable_cells.ts";
import type { RecordsContext } from "./airtable_cursors.ts";
import type { ApiRequest, ProviderApi } from "../contract/calls.ts";
import type { ChainPosition } from "../contract/chains.ts";

const load = async (name: string) =>
  JSON.parse(await Deno.readTextFile(new URL(`./testdata/${name}`, import.meta.url)));
const bases = await load("airtable_bases.json");
const tables = await load("airtable_tables.json");
const records = await load("airtable_records.json");

/** Answers each call with `reply(request)`, validated by the caller's schema, and records it. */
function fakeApi(
  reply: (request: ApiRequest) => unknown,
): ProviderApi & { requests: ApiRequest[] } {
  const requests: ApiRequest[] = [];
  return {
    requests,
    async call<T>(request: ApiRequest, schema: z.ZodType<T>): Promise<T> {
      requests.push(request);
      return schema.parse(await reply(request));
    },
  };
}

const none = { extra: {} };
const ITEM_KEYS = [
  "children",
  "creation_time",
  "delta",
  "directory",
  "drive_id",
  "id",
  "last_modified_time",
  "mime_type",
  "name",
  "parent_id",
  "parent_path_or_name",
  "type",
  "url",
  "visibility",
];

const APARTMENTS: RecordsContext = {
  baseId: "appLkNDICXNqxSDhG",
  tableId: "tbltp8DGLhqbUmjK1",
  tableName: "Apartments",
  primaryFieldId: "fld1VnoyuotSTyxW1",
};
const recordsAt = (cursor: string | null, context: RecordsContext = APARTMENTS): ChainPosition => ({
  chain: "records",
  cursor,
  group: context.baseId,
  context: { ...context },
});

Deno.test("the spec: PKCE, Basic, form body, rotation, 5 per second per base, no revoke", () => {
  assert.deepEqual(airtable.oauth, {
    scopes: ["data.records:read", "schema.bases:read"],
    pkce: true,
    clientAuth: "basic",
    tokenBody: "form",
    authorizeParams: {},
    tokenHeaders: {},
    rotatesRefreshTokens: true,
  });
  assert.deepEqual(airtable.rateLimits, {
    rules: [
      {
        name: "base",
        requests: 5,
        windowMs: 1000,
        marginMs: 75,
        per: "request_key",
        penaltyMs: 30_000,
      },
      {
        name: "token",
        requests: 50,
        windowMs: 1000,
        marginMs: 75,
        per: "connection",
        penaltyMs: 30_000,
      },
    ],
    honoursRetryAfter: false,
    statuses: [429],
  });
  assert.equal(airtable.maxPageSize, 100);
  assert.deepEqual(airtable.itemTypes, ["base", "table", "record"]);
  assert.deepEqual(airtable.startChains(), [{ chain: "bases", cursor: null }]);
  assert.equal(airtable.revoke, undefined, "Airtable documents no revocation endpoint");
  assert.equal(airtable.finishItems, undefined);
});

Deno.test("cellText reads every kind of primary cell as Airtable's string format shows it", () => {
  const cases: [unknown, string][] = [
    ["Apartment 1", "Apartment 1"],
    [0, "0"],
    [1.5, "1.5"],
    [true, "checked"],
    [false, ""],
    [["recA", "recB"], "recA, recB"],
    [["Red", "", "Blue"], "Red, Blue"],
    [{ id: "usr1", email: "ada@example.com", name: "Ada Lovelace" }, "Ada Lovelace"],
    [{ id: "usr2", email: "no.name@example.com" }, "no.name@example.com"],
    [[{ id: "usr1", name: "Ada" }, { id: "usr2", name: "Grace" }], "Ada, Grace"],
    [{ text: "SKU-1001", type: "code128" }, "SKU-1001"],
    [{ label: "Open", url: "https://example.com" }, "Open"],
    [[{ id: "att1", url: "https://x.test/a.png", filename: "floorplan.png" }], "floorplan.png"],
    [{ state: "generated", value: "An AI summary", isStale: false }, "An AI summary"],
    [{ specialValue: "NaN" }, "NaN"],
    [{ error: "#ERROR!" }, "#ERROR!"],
    [{ id: "usr3", name: "  ", email: "blank@example.com" }, "blank@example.com"],
    [{}, ""],
    [null, ""],
    [undefined, ""],
    [[[["deep"]]], "deep"],
  ];
  for (const [value, text] of cases) assert.equal(cellText(value), text, JSON.stringify(value));
});

Deno.test("a bases page: base items, one tables chain per base, no rate key, offset paging", async () => {
  const api = fakeApi(() => bases);
  const page = await airtable.fetchPage({ chain: "bases", cursor: null }, 100, api, none);
  assert.deepEqual(api.requests, [{ method: "GET", path: "/v0/meta/bases", query: {} }]);
  assert.equal(page.items.length, 3);
  const first = page.items[0];
  assert.deepEqual(Object.keys(first).sort(), ITEM_KEYS);
  assert.deepEqual(first, {
    id: "appLkNDICXNqxSDhG",
    type: "base",
    directory: true,
    parent_path_or_name: null,
    parent_id: null,
    name: "Apartment Hunting",
    creation_time: null,
    last_modified_time: null,
    url: "https://airtable.com/appLkNDICXNqxSDhG",
    children: null,
    mime_type: null,
    delta: null,
    drive_id: null,
    visibility: true,
  });
  assert.equal(page.items[2].name, "Untitled");
  assert.deepEqual(page.spawn?.[1], {
    chain: "tables",
    cursor: null,
    group: "appSW9R5uCNmRmfl6",
    context: { baseId: "appSW9R5uCNmRmfl6", baseName: "Project Tracker 🚀" },
  });
  const next = await airtable.fetchPage({ chain: "bases", cursor: page.next }, 100, api, none);
  assert.deepEqual(api.requests[1].query, { offset: "itr23sEjsdfEr3282/appSW9R5uCNmRmfl6" });
  assert.equal(next.items.length, 3);
});

Deno.test("a bases page larger than the hub's page is served in slices without loss", async () => {
  const last = { bases: bases.bases };
  const api = fakeApi((r) => (r.query?.offset ? last : bases));
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await airtable.fetchPage({ chain: "bases", cursor }, 2, api, none);
    assert.ok(page.items.length <= 2);
    assert.deepEqual(page.spawn?.map((s) => s.context?.baseId), page.items.map((i) => i.id));
    seen.push(...page.items.map((i) => i.id));
    cursor = page.next;
  } while (cursor !== null);
  const ids = bases.bases.map((b: { id: string }) => b.id);
  assert.deepEqual(seen, [...ids, ...ids]);
  assert.equal(api.requests.length, 4);
});

Deno.test("a tables page: per-base rate key, at most pageSize tables, records chains with the primary field", async () => {
  const api = fakeApi(() => tables);
  const at = (cursor: string | null): ChainPosition => ({
    chain: "tables",
    cursor,
    context: { baseId: "appLkNDICXNqxSDhG", baseName: "Apartment Hunting" },
  });
  const first = await airtable.fetchPage(at(null), 2, api, none);
  assert.deepEqual(api.requests[0], {
    method: "GET",
    path: "/v0/meta/bases/appLkNDICXNqxSDhG/tables",
    rateKey: "appLkNDICXNqxSDhG",
  });
  assert.deepEqual(first.items.map((i) => [i.id, i.type, i.directory, i.parent_id]), [
    ["tbltp8DGLhqbUmjK1", "table", true, "appLkNDICXNqxSDhG"],
    ["tblK6MZHez0ZvBChZ", "table", true, "appLkNDICXNqxSDhG"],
  ]);
  assert.equal(first.items[0].parent_path_or_name, "Apartment Hunting");
  assert.equal(first.items[0].url, "https://airtable.com/appLkNDICXNqxSDhG/tbltp8DGLhqbUmjK1");
  assert.deepEqual(first.spawn?.[0], recordsAt(null));
  assert.equal(first.next, "2");
  const second = await airtable.fetchPage(at(first.next), 2, api, none);
  assert.deepEqual(second.items.map((i) => i.name), ["People"]);
  assert.equal(second.next, null);
  await assert.rejects(airtable.fetchPage(at("-1"), 2, api, none), ProviderError);
  await assert.rejects(
    airtable.fetchPage({ chain: "tables", cursor: null, context: {} }, 2, api, none),
    ProviderError,
  );
});

Deno.test("a records page: only the primary field, by id; names fall back to the record id", async () => {
  const api = fakeApi(() => records);
  const page = await airtable.fetchPage(recordsAt(null), 5, api, none);
  assert.deepEqual(api.requests[0], {
    method: "GET",
    path: "/v0/appLkNDICXNqxSDhG/tbltp8DGLhqbUmjK1",
    query: { pageSize: "5", returnFieldsByFieldId: "true", "fields[]": "fld1VnoyuotSTyxW1" },
    rateKey: "appLkNDICXNqxSDhG",
  });
  const byId = new Map<string, IntegrationItem>(page.items.map((i) => [i.id, i]));
  assert.deepEqual(byId.get("rec560UJdUtocSouk"), {
    id: "rec560UJdUtocSouk",
    type: "record",
    directory: false,
    parent_path_or_name: "Apartments",
    parent_id: "tbltp8DGLhqbUmjK1",
    name: "Apartment 1",
    creation_time: "2022-09-12T21:03:48.000Z",
    last_modified_time: null,
    url: "https://airtable.com/appLkNDICXNqxSDhG/tbltp8DGLhqbUmjK1/rec560UJdUtocSouk",
    children: null,
    mime_type: null,
    delta: null,
    drive_id: null,
    visibility: true,
  });
  assert.equal(byId.get("rec3lbPRG4aVqkeOQ")?.name, "rec3lbPRG4aVqkeOQ", "primary field absent");
  assert.equal(byId.get("recA1b2C3d4E5f6G7")?.name, "recA1b2C3d4E5f6G7", "primary field blank");
  assert.equal(byId.get("recC1b2C3d4E5f6G7")?.name, 'Loft <b>&</b> "garden"');
  assert.equal(byId.get("recC1b2C3d4E5f6G7")?.creation_time, null);
  assert.deepEqual(JSON.parse(page.next!), {
    o: "itrbBGWnVk6xMDo0B/recC1b2C3d4E5f6G7",
    last: "recC1b2C3d4E5f6G7",
    skip: false,
    r: 0,
  });
  await airtable.fetchPage(recordsAt(page.next), 5, api, none);
  assert.equal(api.requests[1].query?.offset, "itrbBGWnVk6xMDo0B/recC1b2C3d4E5f6G7");

  const noPrimary = fakeApi(() => records);
  const unnamed = await airtable.fetchPage(
    recordsAt(null, { ...APARTMENTS, primaryFieldId: "" }),
    5,
    noPrimary,
    none,
  );
  assert.equal(noPrimary.requests[0].query?.["fields[]"], undefined);
  assert.deepEqual(unnamed.items.map((i) => i.name), unnamed.items.map((i) => i.id));
});

Deno.test("unknown chains, foreign cursors and other refusals are errors, not guesses", async () => {
  const api = fakeApi(() => records);
  await assert.rejects(
    airtable.fetchPage({ chain: "views", cursor: null }, 5, api, none),
    ProviderError,
  );
  await assert.rejects(airtable.fetchPage(recordsAt("not json"), 5, api, none), ProviderError);
  await assert.rejects(airtable.fetchPage(recordsAt('{"o":1}'), 5, api, none), ProviderError);
  await assert.rejects(
    airtable.fetchPage({ chain: "bases", cursor: "[]" }, 5, api, none),
    ProviderError,
  );
  const notFound = new ProviderStatusError("gone", 404, { error: { type: "TABLE_NOT_FOUND" } });
  const refusing = fakeApi(() => {
    throw notFound;
  });
  await assert.rejects(
    airtable.fetchPage(recordsAt(null), 5, refusing, none),
    (e) => e === notFound,
  );
  const badOffset = new ProviderStatusError("bad", 422, {
    error: { type: "INVALID_OFFSET_VALUE" },
  });
  const refusingOffset = fakeApi(() => {
    throw badOffset;
  });
  await assert.rejects(
    airtable.fetchPage(recordsAt(null), 5, refusingOffset, none),
    (e) => e === badOffset,
  );
});

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
