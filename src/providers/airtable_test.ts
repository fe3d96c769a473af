/** Airtable's mapping to items and its chains (bases, tables, records), from recorded payloads, with fake APIs. */
import assert from "node:assert/strict";
import { ProviderError, ProviderStatusError } from "../errors.ts";
import type { IntegrationItem } from "../contract/item.ts";
import { airtable } from "./airtable.ts";
import { cellText } from "./airtable_cells.ts";
import type { ChainPosition } from "../contract/chains.ts";
import { APARTMENTS, fakeApi, none, recordsAt } from "../testing/airtable_fake_api.ts";

const load = async (name: string) =>
  JSON.parse(await Deno.readTextFile(new URL(`./testdata/${name}`, import.meta.url)));
const bases = await load("airtable_bases.json");
const tables = await load("airtable_tables.json");
const records = await load("airtable_records.json");

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
        marginMs: 50,
        per: "request_key",
        penaltyMs: 30_000,
      },
      {
        name: "token",
        requests: 50,
        windowMs: 1000,
        marginMs: 50,
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
