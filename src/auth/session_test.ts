import assert from "node:assert/strict";
import { createKvStore } from "../store/kv_store.ts";
import type { Store } from "../store/store.ts";
import { connectThroughConsent, TestBrowser } from "../testing/browser.ts";
import { startHub } from "../testing/hub.ts";

/** The embedded store, counting reads of session records. */
function countingStore(store: Store): Store & { sessionReads: number } {
  const counted = Object.create(store) as Store & { sessionReads: number };
  counted.sessionReads = 0;
  counted.get = (key: string) => {
    if (key.includes(":session:")) counted.sessionReads++;
    return store.get(key);
  };
  return counted;
}

Deno.test("signing out ends the session server-side: a copied cookie stops working", async () => {
  const kv = await Deno.openKv(":memory:");
  const store = countingStore(createKvStore(kv));
  const hub = startHub({ store });
  try {
    const browser = new TestBrowser();
    await browser.postForm(`${hub.url}/login`, { user_id: "ada", org_id: "acme" });
    const copied = `hub_session=${browser.cookie(new URL(hub.url).origin, "hub_session")}`;
    const status = `${hub.url}/integrations/hubspot/status`;

    const before = store.sessionReads;
    const signedIn = await fetch(status, { headers: { Cookie: copied } });
    assert.equal(signedIn.status, 200);
    await signedIn.body?.cancel();
    assert.equal(store.sessionReads - before, 1, "one read of the session per request");

    const out = await browser.postForm(`${hub.url}/logout`, {});
    assert.equal(out.status, 303);
    await out.body?.cancel();
    const replayed = await fetch(status, { headers: { Cookie: copied } });
    assert.equal(replayed.status, 401);
    assert.equal((await replayed.json()).error.code, "unauthenticated");
    const page = await fetch(`${hub.url}/`, { headers: { Cookie: copied }, redirect: "manual" });
    assert.equal(page.headers.get("location"), "/login");
    await page.body?.cancel();
  } finally {
    await hub.close();
    kv.close();
  }
});

Deno.test("disconnecting the last provider keeps the browser signed in", async () => {
  const kv = await Deno.openKv(":memory:");
  const hub = startHub({ store: createKvStore(kv) });
  try {
    const browser = await connectThroughConsent(hub.url, "hubspot");
    const gone = await browser.postForm(`${hub.url}/ui/hubspot/disconnect`, {});
    assert.equal(gone.status, 303);
    await gone.body?.cancel();
    const status = await browser.request(`${hub.url}/integrations/hubspot/status`);
    assert.equal(status.status, 200);
    assert.equal((await status.json()).status, "not_connected");
    const dashboard = await browser.request(`${hub.url}/`);
    assert.equal(dashboard.status, 200);
    assert.match(await dashboard.text(), /Sign out/);
  } finally {
    await hub.close();
    kv.close();
  }
});
