/**
 * The fetch given to createApp carries every request the hub sends to a provider (token
 * exchange, account lookup, item pages, revocation), for all three providers: the Workers entry
 * relies on it to keep sandbox calls in process.
 */
import assert from "node:assert/strict";
import { PROVIDER_IDS } from "./providers/registry.ts";
import type { Fetch } from "./contract/calls.ts";
import { createKvStore } from "./store/kv_store.ts";
import { decideOnConsent, TestBrowser } from "./testing/browser.ts";
import { startHub } from "./testing/hub.ts";

Deno.test("every provider request goes through the app's fetch", async () => {
  const sent: string[] = [];
  const recording: Fetch = (input, init) => {
    const request = new Request(input, init);
    sent.push(`${request.method} ${new URL(request.url).pathname}`);
    return fetch(request);
  };
  const kv = await Deno.openKv(":memory:");
  const hub = startHub({ store: createKvStore(kv), fetch: recording });
  try {
    const browser = new TestBrowser();
    await browser.postForm(`${hub.url}/login`, { user_id: "ada", org_id: "acme" });
    for (const provider of PROVIDER_IDS) {
      sent.length = 0;
      const start = await browser.postForm(`${hub.url}/integrations/${provider}/connect`, {});
      const callback = await decideOnConsent(start.headers.get("location")!, "approve");
      const connected = await browser.request(callback.href);
      assert.equal(connected.status, 303, `${provider} connect`);
      const token = sent.filter((line) => line.startsWith(`POST /sandbox/${provider}/`));
      assert.ok(token.length >= 1, `${provider}: the code exchange went elsewhere: ${sent}`);

      sent.length = 0;
      const items = await browser.request(`${hub.url}/integrations/${provider}/items?limit=5`);
      assert.equal(items.status, 200, `${provider} items`);
      assert.ok(sent.length >= 1, `${provider}: no page request went through the app's fetch`);

      sent.length = 0;
      const gone = await browser.request(`${hub.url}/integrations/${provider}`, {
        method: "DELETE",
      });
      assert.equal(gone.status, 204, `${provider} disconnect`);
      // Airtable documents no revocation endpoint; the other two are told.
      assert.equal(sent.length > 0, provider !== "airtable", `${provider} revoke: ${sent}`);
      assert.ok(sent.every((line) => line.includes(`/sandbox/${provider}/`)), String(sent));
    }
  } finally {
    await hub.close();
    kv.close();
  }
});
