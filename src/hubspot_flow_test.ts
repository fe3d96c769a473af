/**
 * HubSpot end to end over real HTTP: a browser signs in, connects through the sandbox's consent
 * page, the hub exchanges the code and lists every contact, company and deal; a program does
 * the same through the JSON API. Run against both stores: embedded (Deno KV) and Upstash (over
 * a real Redis through the project's Upstash-compatible layer).
 */
import assert from "node:assert/strict";
import type { Store } from "./store/store.ts";
import { createKvStore } from "./store/kv_store.ts";
import { createUpstashStore } from "./store/upstash_store.ts";
import { startTestRedis, startUpstashForTests } from "./testing/redis_harness.ts";
import { formFields, TestBrowser } from "./testing/browser.ts";
import { type RunningHub, startHub, TEST_API_KEY } from "./testing/hub.ts";
import { createHubspotSandbox } from "./sandbox/hubspot/sandbox.ts";

interface Item {
  id: string;
  type: string;
  name: string;
  url: string | null;
}

/** The sandbox's seeded records, from a sandbox built with the same defaults the hub uses. */
function seededCounts(): { contacts: number; companies: number; deals: number } {
  const { control } = createHubspotSandbox({
    clientId: "x",
    clientSecret: "y",
    redirectUris: [],
  });
  return {
    contacts: control.data.contacts.filter((r) => !r.archived).length,
    companies: control.data.companies.filter((r) => !r.archived).length,
    deals: control.data.deals.filter((r) => !r.archived).length,
  };
}

async function connectInBrowser(hub: RunningHub, browser: TestBrowser, approve: boolean) {
  const login = await browser.postForm(`${hub.url}/login`, { user_id: "alice", org_id: "acme" });
  assert.equal(login.status, 303);
  const start = await browser.postForm(`${hub.url}/integrations/hubspot/connect`, {});
  assert.equal(start.status, 303);
  const authorizeUrl = start.headers.get("location")!;
  assert.ok(authorizeUrl.startsWith(`${hub.url}/sandbox/hubspot/oauth/authorize?`));

  const consent = await browser.request(authorizeUrl);
  assert.equal(consent.status, 200);
  const page = await consent.text();
  assert.match(page, /HubSpot sandbox/);
  const form = formFields(page);
  const decision = await browser.postForm(
    new URL(form.action ?? authorizeUrl, authorizeUrl).toString(),
    { ...form.fields, decision: approve ? "approve" : "deny" },
  );
  assert.equal(decision.status, 302);
  const callback = decision.headers.get("location")!;
  assert.ok(callback.startsWith(`${hub.url}/integrations/hubspot/oauth2callback?`));
  return await browser.request(callback);
}

async function listAll(hub: RunningHub, limit: number | null): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ user_id: "alice", org_id: "acme" });
    if (limit !== null) query.set("limit", String(limit));
    if (cursor !== null) query.set("cursor", cursor);
    const response = await fetch(`${hub.url}/integrations/hubspot/items?${query}`, {
      headers: { Authorization: `Bearer ${TEST_API_KEY}` },
    });
    assert.equal(response.status, 200);
    const page = await response.json();
    if (limit !== null) assert.ok(page.items.length <= limit);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return items;
}

async function hubspotFlow(store: Store) {
  const hub = startHub({ store });
  try {
    const browser = new TestBrowser();
    const done = await connectInBrowser(hub, browser, true);
    assert.equal(done.status, 303);
    assert.equal(done.headers.get("location"), "/?connected=hubspot");

    const dashboard = await browser.request(`${hub.url}/?connected=hubspot`);
    const html = await dashboard.text();
    assert.match(html, /Connected HubSpot as HubSpot account \d+\./);
    assert.match(html, /Load items/);

    const status = await (await browser.request(`${hub.url}/integrations/hubspot/status`)).json();
    assert.equal(status.status, "connected");
    assert.ok(status.account.id);
    assert.ok(status.scopes.includes("crm.objects.contacts.read"));

    const expected = seededCounts();
    const everything = await listAll(hub, null);
    const count = (type: string) => everything.filter((i) => i.type === type).length;
    assert.equal(count("contact"), expected.contacts);
    assert.equal(count("company"), expected.companies);
    assert.equal(count("deal"), expected.deals);
    assert.equal(new Set(everything.map((i) => i.id)).size, everything.length);
    for (const item of everything) {
      assert.equal(Object.keys(item).length, 14);
      assert.ok(item.name.length > 0);
      assert.match(
        item.url ?? "",
        /^https:\/\/app\.hubspot\.com\/contacts\/\d+\/record\/0-[123]\/\d+$/,
      );
    }

    const paged = await listAll(hub, 70);
    assert.deepEqual(paged.map((i) => i.id).sort(), everything.map((i) => i.id).sort());

    const fragment = await browser.request(`${hub.url}/ui/hubspot/items`, {
      headers: { "HX-Request": "true" },
    });
    assert.equal(fragment.status, 200);
    assert.match(await fragment.text(), /Load more/);

    const disconnect = await browser.request(`${hub.url}/integrations/hubspot`, {
      method: "DELETE",
    });
    assert.equal(disconnect.status, 204);
    const after = await (await browser.request(`${hub.url}/integrations/hubspot/status`)).json();
    assert.equal(after.status, "not_connected");
  } finally {
    await hub.close();
  }
}

Deno.test("HubSpot end to end on the embedded store", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await hubspotFlow(createKvStore(kv));
  } finally {
    kv.close();
  }
});

const redis = await startTestRedis();
Deno.test({
  name: "HubSpot end to end on the Upstash store over a real Redis",
  ignore: redis === null,
  fn: async () => {
    const upstash = await startUpstashForTests();
    try {
      await hubspotFlow(createUpstashStore(upstash));
    } finally {
      await upstash.close();
    }
  },
});
await redis?.close();

Deno.test("denying at the provider shows as cancelled and stores nothing", async () => {
  const kv = await Deno.openKv(":memory:");
  const hub = startHub({ store: createKvStore(kv) });
  try {
    const browser = new TestBrowser();
    const done = await connectInBrowser(hub, browser, false);
    assert.equal(done.status, 303);
    assert.equal(done.headers.get("location"), "/?cancelled=hubspot");
    const status = await (await browser.request(`${hub.url}/integrations/hubspot/status`)).json();
    assert.equal(status.status, "not_connected");
  } finally {
    await hub.close();
    kv.close();
  }
});
