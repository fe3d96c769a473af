/**
 * No crossing over: one user's session or state never reaches another user's connection.
 * Over real HTTP, with the HubSpot sandbox.
 */
import assert from "node:assert/strict";
import { createKvStore } from "./store/kv_store.ts";
import { formFields, TestBrowser } from "./testing/browser.ts";
import { startHub, TEST_API_KEY } from "./testing/hub.ts";

async function signIn(hubUrl: string, userId: string, orgId: string): Promise<TestBrowser> {
  const browser = new TestBrowser();
  const login = await browser.postForm(`${hubUrl}/login`, { user_id: userId, org_id: orgId });
  assert.equal(login.status, 303);
  return browser;
}

/** Starts a connection and approves on the consent page; returns the callback URL. */
async function approve(hubUrl: string, browser: TestBrowser): Promise<string> {
  const start = await browser.postForm(`${hubUrl}/integrations/hubspot/connect`, {});
  const authorizeUrl = start.headers.get("location")!;
  const form = formFields(await (await browser.request(authorizeUrl)).text());
  const decision = await browser.postForm(new URL(form.action!, authorizeUrl).toString(), {
    ...form.fields,
    decision: "approve",
  });
  return decision.headers.get("location")!;
}

Deno.test("a session cannot read, load, authorize or disconnect another user's connection", async () => {
  const kv = await Deno.openKv(":memory:");
  const hub = startHub({ store: createKvStore(kv) });
  try {
    const alice = await signIn(hub.url, "alice", "acme");
    const callback = await approve(hub.url, alice);
    assert.equal((await alice.request(callback)).status, 303);

    const bob = await signIn(hub.url, "bob", "acme");
    const crossing = [
      ["GET", "/integrations/hubspot/status?user_id=alice&org_id=acme"],
      ["GET", "/integrations/hubspot/items?user_id=alice&org_id=acme"],
      ["GET", "/integrations/hubspot/authorize?user_id=alice&org_id=acme"],
      ["GET", "/integrations?user_id=alice&org_id=acme"],
      ["DELETE", "/integrations/hubspot?user_id=alice&org_id=acme"],
      ["GET", "/integrations/hubspot/status?user_id=bob&org_id=other-org"],
    ];
    for (const [method, path] of crossing) {
      const response = await bob.request(`${hub.url}${path}`, { method });
      assert.equal(response.status, 403, `${method} ${path}`);
      assert.equal((await response.json()).error.code, "forbidden");
    }
    const own = await (await bob.request(`${hub.url}/integrations/hubspot/status`)).json();
    assert.equal(own.status, "not_connected");

    const stillThere = await (await alice.request(`${hub.url}/integrations/hubspot/status`)).json();
    assert.equal(stillThere.status, "connected");
    const viaKey = await fetch(`${hub.url}/integrations/hubspot/status?user_id=alice&org_id=acme`, {
      headers: { Authorization: `Bearer ${TEST_API_KEY}` },
    });
    assert.equal((await viaKey.json()).status, "connected");
    const otherOrg = await fetch(
      `${hub.url}/integrations/hubspot/status?user_id=alice&org_id=other`,
      {
        headers: { Authorization: `Bearer ${TEST_API_KEY}` },
      },
    );
    assert.equal((await otherOrg.json()).status, "not_connected");
  } finally {
    await hub.close();
    kv.close();
  }
});

Deno.test("a state started by one session cannot finish in another, nor be replayed", async () => {
  const kv = await Deno.openKv(":memory:");
  const hub = startHub({ store: createKvStore(kv) });
  try {
    const alice = await signIn(hub.url, "alice", "acme");
    const bob = await signIn(hub.url, "bob", "acme");
    const callback = await approve(hub.url, alice);

    const stolen = await bob.request(callback);
    assert.equal(stolen.status, 400);
    assert.match(await stolen.text(), /started by another user or in another browser/);
    const anonymous = await fetch(callback, { redirect: "manual" });
    assert.equal(anonymous.status, 400);
    await anonymous.body?.cancel();
    for (const browser of [alice, bob]) {
      const status = await (await browser.request(`${hub.url}/integrations/hubspot/status`)).json();
      assert.equal(status.status, "not_connected");
    }

    const fresh = await approve(hub.url, alice);
    assert.equal((await alice.request(fresh)).status, 303);
    const replay = await alice.request(fresh);
    assert.equal(replay.status, 400);
    assert.match(await replay.text(), /already finished/);
  } finally {
    await hub.close();
    kv.close();
  }
});
