/**
 * The OAuth callback's refusals, over real HTTP against the sandboxes: each way a state can fail
 * has its own sentence, and a provider refusing the code is a 400 page offering to connect
 * again, never a 5xx.
 */
import assert from "node:assert/strict";
import { createKvStore } from "../store/kv_store.ts";
import { decideOnConsent, formFields, TestBrowser } from "../testing/browser.ts";
import { type RunningHub, startHub, TEST_API_KEY } from "../testing/hub.ts";
import { STATE_TTL_MS } from "../oauth/flow.ts";

interface Page {
  status: number;
  title: string;
  text: string;
  /** The "connect again" form's action, when the page offers one. */
  retry: string | null;
}

async function readPage(response: Response): Promise<Page> {
  const html = await response.text();
  assert.match(response.headers.get("content-type") ?? "", /text\/html/);
  const form = formFields(html);
  return {
    status: response.status,
    title: /<h1>([^<]*)<\/h1>/.exec(html)?.[1] ?? "",
    text: html.replace(/<[^>]+>/g, " ").replaceAll("&#39;", "'"),
    retry: form.action,
  };
}

async function withHub(
  fn: (hub: RunningHub, browser: TestBrowser, clock: { now: number }) => Promise<void>,
): Promise<void> {
  const kv = await Deno.openKv(":memory:");
  const clock = { now: Date.now() };
  const hub = startHub({ store: createKvStore(kv), clock: () => clock.now });
  try {
    const browser = new TestBrowser();
    const login = await browser.postForm(`${hub.url}/login`, { user_id: "alice", org_id: "acme" });
    assert.equal(login.status, 303);
    await login.body?.cancel();
    await fn(hub, browser, clock);
  } finally {
    await hub.close();
    kv.close();
  }
}

/** Presses Connect in the browser; answers the sandbox's authorize URL (its state included). */
async function pressConnect(hub: RunningHub, browser: TestBrowser, provider: string) {
  const start = await browser.postForm(`${hub.url}/integrations/${provider}/connect`, {});
  assert.equal(start.status, 303);
  return new URL(start.headers.get("location")!);
}

function callback(hub: RunningHub, provider: string, query: Record<string, string>): string {
  return `${hub.url}/integrations/${provider}/oauth2callback?${new URLSearchParams(query)}`;
}

/** Asserts the page shows no trace of the old wording and never a server error. */
function assertPlain(page: Page): void {
  assert.ok(page.status < 500, `answered ${page.status}`);
  assert.doesNotMatch(page.text, /sign-in link/i);
}

Deno.test("a made-up code with a valid state is a 400 page saying the provider refused it, with Connect again", async () => {
  await withHub(async (hub, browser) => {
    for (const [provider, name] of [["hubspot", "HubSpot"], ["notion", "Notion"]]) {
      const authorize = await pressConnect(hub, browser, provider);
      const state = authorize.searchParams.get("state")!;
      const page = await readPage(
        await browser.request(callback(hub, provider, { code: "made-up-code", state })),
      );
      assertPlain(page);
      assert.equal(page.status, 400);
      assert.equal(page.title, `${name} refused the authorization code`);
      assert.match(page.text, new RegExp(`${name} refused the authorization code`));
      assert.match(page.text, /connect again/i);
      assert.equal(page.retry, `/integrations/${provider}/connect`);
      assert.match(page.text, new RegExp(`Connect ${name} again`));

      // The offered button starts a fresh attempt.
      const again = await browser.postForm(`${hub.url}${page.retry}`, {});
      assert.equal(again.status, 303);
      assert.notEqual(new URL(again.headers.get("location")!).searchParams.get("state"), state);
    }
    const status = await fetch(`${hub.url}/integrations/hubspot/status?user_id=alice&org_id=acme`, {
      headers: { Authorization: `Bearer ${TEST_API_KEY}` },
    });
    assert.equal((await status.json()).status, "not_connected");
  });
});

Deno.test("a callback without a state says the provider sent no state", async () => {
  await withHub(async (hub, browser) => {
    for (const query of [{ code: "x" }, { code: "x", state: "" }] as Record<string, string>[]) {
      const page = await readPage(await browser.request(callback(hub, "hubspot", query)));
      assertPlain(page);
      assert.equal(page.status, 400);
      assert.match(page.text, /sent you back without the state/);
      assert.equal(page.retry, "/integrations/hubspot/connect");
    }
  });
});

Deno.test("a state the hub never issued says there is no record of the attempt", async () => {
  await withHub(async (hub, browser) => {
    const page = await readPage(
      await browser.request(callback(hub, "hubspot", { code: "x", state: "made-up-state" })),
    );
    assertPlain(page);
    assert.equal(page.status, 400);
    assert.match(page.text, /no record of this connection attempt/);
  });
});

Deno.test("a state used after ten minutes says the attempt expired", async () => {
  await withHub(async (hub, browser, clock) => {
    const authorize = await pressConnect(hub, browser, "hubspot");
    const returned = await decideOnConsent(authorize, "approve");
    clock.now += STATE_TTL_MS + 1000;
    const page = await readPage(await browser.request(returned.toString()));
    assertPlain(page);
    assert.equal(page.status, 400);
    assert.match(page.text, /This connection attempt expired/);
    assert.match(page.text, /within 10 minutes/);
    assert.equal(page.retry, "/integrations/hubspot/connect");
  });
});

Deno.test("a repeated callback says the attempt was already finished", async () => {
  await withHub(async (hub, browser) => {
    const authorize = await pressConnect(hub, browser, "airtable");
    const returned = await decideOnConsent(authorize, "approve");
    const first = await browser.request(returned.toString());
    assert.equal(first.status, 303);
    assert.equal(first.headers.get("location"), "/?connected=airtable");
    await first.body?.cancel();
    for (let i = 0; i < 2; i++) {
      const page = await readPage(await browser.request(returned.toString()));
      assertPlain(page);
      assert.equal(page.status, 400);
      assert.match(page.text, /already finished/);
    }

    const cancelled = await decideOnConsent(await pressConnect(hub, browser, "notion"), "deny");
    assert.equal(
      (await browser.request(cancelled.toString())).headers.get("location"),
      "/?cancelled=notion",
    );
    const again = await readPage(await browser.request(cancelled.toString()));
    assert.match(again.text, /already finished/);
  });
});

Deno.test("a state started by another user says so, and its own user can still finish it", async () => {
  await withHub(async (hub, browser) => {
    const authorize = await pressConnect(hub, browser, "hubspot");
    const returned = await decideOnConsent(authorize, "approve");

    const bob = new TestBrowser();
    await (await bob.postForm(`${hub.url}/login`, { user_id: "bob", org_id: "acme" })).body
      ?.cancel();
    const asBob = await readPage(await bob.request(returned.toString()));
    assertPlain(asBob);
    assert.equal(asBob.status, 400);
    assert.match(asBob.text, /started by another user or in another browser/);

    const signedOut = await readPage(await fetch(returned, { redirect: "manual" }));
    assert.equal(signedOut.status, 400);
    assert.match(signedOut.text, /started by another user or in another browser/);
    assert.equal(signedOut.retry, null, "no Connect button without a session");

    const own = await browser.request(returned.toString());
    assert.equal(own.status, 303);
    assert.equal(own.headers.get("location"), "/?connected=hubspot");
    await own.body?.cancel();
  });
});

Deno.test("a state started for another provider says so", async () => {
  await withHub(async (hub, browser) => {
    const authorize = await pressConnect(hub, browser, "notion");
    const state = authorize.searchParams.get("state")!;
    const page = await readPage(
      await browser.request(callback(hub, "hubspot", { code: "x", state })),
    );
    assertPlain(page);
    assert.equal(page.status, 400);
    assert.match(page.text, /started for another provider, not HubSpot/);
  });
});
