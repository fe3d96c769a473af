/** Notion's mapping to items, from recorded payloads, with a fake API. */
import assert from "node:assert/strict";
import type { z } from "zod";
import { ProviderError } from "../errors.ts";
import type { IntegrationItem } from "../contract/item.ts";
import { finishItems, mapResults, notion, NOTION_VERSION } from "./notion.ts";
import type { ApiRequest, ProviderApi } from "../contract/calls.ts";

const search = JSON.parse(
  await Deno.readTextFile(new URL("./testdata/notion_search.json", import.meta.url)),
);
const tokens = JSON.parse(
  await Deno.readTextFile(new URL("./testdata/notion_token.json", import.meta.url)),
);

/** Answers every call with one payload, validated by the caller's schema, and records it. */
function fakeApi(payload: unknown): ProviderApi & { requests: ApiRequest[] } {
  const requests: ApiRequest[] = [];
  return {
    requests,
    call<T>(request: ApiRequest, schema: z.ZodType<T>): Promise<T> {
      requests.push(request);
      return Promise.resolve(schema.parse(payload));
    },
  };
}

const byName = (items: IntegrationItem[], name: string) => {
  const found = items.find((i) => i.name === name);
  assert.ok(found, `no item named ${name}`);
  return found;
};

Deno.test("the spec pins one Notion-Version for the API and the token endpoint", () => {
  assert.equal(NOTION_VERSION, "2022-06-28");
  assert.deepEqual(notion.apiHeaders, { "Notion-Version": NOTION_VERSION });
  assert.deepEqual(notion.oauth.tokenHeaders, { "Notion-Version": NOTION_VERSION });
  assert.deepEqual(notion.oauth.authorizeParams, { owner: "user" });
  assert.deepEqual(notion.oauth.scopes, []);
  assert.equal(notion.oauth.clientAuth, "basic");
  assert.equal(notion.oauth.tokenBody, "json");
  assert.equal(notion.oauth.pkce, false);
  assert.equal(notion.oauth.rotatesRefreshTokens, true);
  assert.deepEqual(notion.rateLimits.statuses, [429, 529]);
  const [rule] = notion.rateLimits.rules;
  assert.equal(rule.per, "connection");
  assert.equal(rule.requests / (rule.windowMs / 1000), 3);
  assert.equal(notion.maxPageSize, 100);
  assert.deepEqual(notion.startChains(), [{ chain: "search", cursor: null }]);
});

Deno.test("fetchPage posts one search page, oldest edit first, and follows next_cursor", async () => {
  const api = fakeApi(search);
  const first = await notion.fetchPage({ chain: "search", cursor: null }, 25, api, { extra: {} });
  assert.equal(first.next, "fe2cc560-036c-44cd-90e8-294d5a74cebc");
  const second = await notion.fetchPage({ chain: "search", cursor: first.next }, 25, api, {
    extra: {},
  });
  assert.deepEqual(api.requests.map((r) => [r.method, r.path]), [
    ["POST", "/v1/search"],
    ["POST", "/v1/search"],
  ]);
  assert.deepEqual(api.requests[0].json, {
    page_size: 25,
    sort: { timestamp: "last_edited_time", direction: "ascending" },
  });
  assert.equal((api.requests[1].json as { start_cursor: string }).start_cursor, first.next);
  assert.equal(second.items.length, 6);

  const last = fakeApi({ ...search, has_more: false });
  const done = await notion.fetchPage({ chain: "search", cursor: null }, 100, last, { extra: {} });
  assert.equal(done.next, null);
  await assert.rejects(
    notion.fetchPage({ chain: "blocks", cursor: null }, 100, last, { extra: {} }),
    ProviderError,
  );
});

Deno.test("page titles come from the one title property, whatever its name", () => {
  const items = mapResults(search.results);
  const bug = byName(items, "Bug bash March 10, 2023");
  assert.equal(bug.type, "page");
  assert.equal(bug.directory, false);
  assert.equal(bug.id, "be633bf1-dfa0-436d-b259-571129a590e5");
  assert.equal(bug.url, "https://www.notion.so/Bug-bash-be633bf1dfa0436db259571129a590e5");
  assert.equal(bug.creation_time, "2022-10-24T22:54:00.000Z");
  assert.equal(bug.last_modified_time, "2023-03-08T18:25:00.000Z");
  assert.equal(bug.visibility, true);
  assert.equal(byName(items, "🛠️ Engineering").type, "page");
  assert.equal(byName(items, "ملاحظات").type, "page");
  for (const item of items) {
    assert.equal(Object.keys(item).length, 14);
    assert.notEqual(item.name, "");
  }
});

Deno.test("databases are directories titled by their top-level title; empty titles are Untitled", () => {
  const items = mapResults(search.results);
  const tracker = byName(items, "Bug tracker");
  assert.equal(tracker.type, "database");
  assert.equal(tracker.directory, true);
  assert.equal(tracker.url, "https://www.notion.so/a1d8501e1ac143e9a6bdea9fe6c8822b");
  const untitled = items.filter((i) => i.name === "Untitled");
  assert.deepEqual(untitled.map((i) => i.type).sort(), ["database", "page"]);
});

Deno.test("other object types and broken results are skipped, not fatal", () => {
  const items = mapResults(search.results);
  assert.equal(items.length, 6);
  assert.ok(items.every((i) => i.type === "page" || i.type === "database"));
  assert.deepEqual(mapResults([null, 3, { object: "user", id: "u" }]), []);
});

Deno.test("finishItems links children to listed parents, in any order, and folds repeats", () => {
  const items = mapResults(search.results);
  const finished = finishItems([...items, ...mapResults([search.results[0]])]);
  assert.equal(finished.length, 6);
  const bug = byName(finished, "Bug bash March 10, 2023");
  assert.equal(bug.parent_id, "a1d8501e-1ac1-43e9-a6bd-ea9fe6c8822b");
  assert.equal(bug.parent_path_or_name, "Bug tracker");
  const tracker = byName(finished, "Bug tracker");
  assert.equal(tracker.parent_id, "98ad959b-2b6a-4774-80ee-00246fb0ea9b");
  assert.equal(tracker.parent_path_or_name, "🛠️ Engineering");
  const untitledPage = finished.find((i) => i.name === "Untitled" && i.type === "page")!;
  assert.equal(untitledPage.parent_path_or_name, "🛠️ Engineering");
  for (const name of ["🛠️ Engineering", "ملاحظات"]) {
    assert.equal(byName(finished, name).parent_id, null);
    assert.equal(byName(finished, name).parent_path_or_name, null);
  }
  const orphan = finished.find((i) => i.name === "Untitled" && i.type === "database")!;
  assert.equal(orphan.parent_id, null);

  const alone = finishItems(mapResults([search.results[0]]));
  assert.equal(alone[0].parent_id, null);
  assert.deepEqual(finishItems(finished), finished);
});

/** Notion's account comes from the token answer alone: readAccount makes no call. */
const noCalls: ProviderApi = {
  call: () => Promise.reject(new Error("readAccount called Notion")),
};

Deno.test("readAccount takes the current and the legacy token answer", async () => {
  const current = await notion.readAccount(tokens.current, noCalls);
  assert.deepEqual(current, {
    account: { id: "17ab3186-873d-418b-bc1c-9d5e6f0a2b71", name: "Acme" },
    extra: {
      bot_id: "b3414d65-9c3f-4a1b-8e5d-7f2a6c0b9d41",
      workspace_id: "17ab3186-873d-418b-bc1c-9d5e6f0a2b71",
    },
    scopes: [],
  });
  const legacy = await notion.readAccount(tokens.legacy, noCalls);
  assert.equal(legacy.account.name, "Notion workspace");
  assert.equal(legacy.extra.bot_id, "b3414d65-9c3f-4a1b-8e5d-7f2a6c0b9d42");
  await assert.rejects(
    notion.readAccount({ access_token: "x" }, noCalls),
    ProviderError,
  );
});
