import assert from "node:assert/strict";
import type { Connection } from "../connections/connections.ts";
import { airtable } from "../providers/airtable.ts";
import { hubspot } from "../providers/hubspot.ts";
import { notion } from "../providers/notion.ts";
import { callScopes } from "./scopes.ts";

const connection = (userId: string, extra: Record<string, string> = {}) =>
  ({ owner: { userId, orgId: "acme" }, extra }) as unknown as Connection;

Deno.test("HubSpot calls count per portal, whoever connected it; search counts twice", () => {
  const list = { method: "GET", path: "/crm/v3/objects/contacts" } as const;
  const ada = callScopes(hubspot, connection("ada", { hub_id: "62515" }), list);
  const grace = callScopes(hubspot, connection("grace", { hub_id: "62515" }), list);
  assert.deepEqual(ada.scopes, grace.scopes);
  assert.deepEqual(ada.rules.map((r) => r.name), ["portal"]);
  assert.deepEqual(ada.scopes[0], {
    key: "hub:v1:pace:hubspot:portal:account%3A62515",
    requests: 100,
    windowMs: 10_100,
  });
  assert.deepEqual(ada.sends[0], { ...ada.scopes[0], windowMs: 10_000 + 100 / 3 });
  assert.equal(ada.staleMs, 100);
  const search = callScopes(hubspot, connection("ada", { hub_id: "62515" }), {
    method: "POST",
    path: "/crm/v3/objects/deals/search",
    json: {},
  });
  assert.deepEqual(search.rules.map((r) => r.name), ["search", "portal"]);
  assert.equal(search.scopes[0].requests, 5);
  assert.equal(search.scopes[0].windowMs, 1_050, "search's own margin");
  assert.equal(search.staleMs, 50, "the narrowest margin");
  assert.equal(search.scopes[1].key, ada.scopes[0].key);
  const other = callScopes(hubspot, connection("ada", { hub_id: "1" }), list);
  assert.notEqual(other.scopes[0].key, ada.scopes[0].key, "another portal, another count");
});

Deno.test("Airtable calls count per base across users and per token; the bases list per token", () => {
  const records = { method: "GET", path: "/v0/app1/tbl1", rateKey: "app1" } as const;
  const ada = callScopes(airtable, connection("ada"), records);
  const grace = callScopes(airtable, connection("grace"), records);
  assert.deepEqual(ada.rules.map((r) => r.name), ["base", "token"]);
  assert.equal(ada.scopes[0].key, grace.scopes[0].key, "one base, one count");
  assert.notEqual(ada.scopes[1].key, grace.scopes[1].key, "each token its own");
  const bases = callScopes(airtable, connection("ada"), { method: "GET", path: "/v0/meta/bases" });
  assert.deepEqual(bases.rules.map((r) => r.name), ["token"]);
  assert.equal(bases.scopes[0].requests, 50);
});

Deno.test("Notion calls count per connection, and a stated limit replaces the rule's", () => {
  const search = { method: "POST", path: "/v1/search", json: {} } as const;
  const ada = callScopes(notion, connection("ada"), search);
  assert.deepEqual(ada.scopes.map((s) => s.requests), [3]);
  assert.notEqual(ada.scopes[0].key, callScopes(notion, connection("grace"), search).scopes[0].key);
  const stated = callScopes(
    hubspot,
    connection("ada", { hub_id: "7" }),
    { method: "GET", path: "/crm/v3/objects/deals" },
    (key) => key.endsWith("account%3A7") ? 110 : undefined,
  );
  assert.equal(stated.scopes[0].requests, 110);
});
