/**
 * Cursors over real HTTP against the sandboxes: opaque, and bound to the caller, the provider
 * and the filters; any other use is one 400.
 */
import assert from "node:assert/strict";
import { createKvStore } from "../store/kv_store.ts";
import { decideOnConsent } from "../testing/browser.ts";
import { type RunningHub, startHub, TEST_API_KEY } from "../testing/hub.ts";

const AUTH = { Authorization: `Bearer ${TEST_API_KEY}` };

async function connect(hub: RunningHub, provider: string, user: string): Promise<void> {
  const started = await fetch(
    `${hub.url}/integrations/${provider}/authorize?user_id=${user}&org_id=acme`,
    { headers: AUTH },
  );
  const { authorize_url } = await started.json();
  const callback = await decideOnConsent(authorize_url, "approve");
  const done = await fetch(callback, { redirect: "manual" });
  await done.body?.cancel();
  assert.equal(done.status, 303);
}

/** The fields of the answers this test reads (an error's, a page's, a status's). */
interface Answer {
  error: { code: string; message: string };
  next_cursor: string;
  next_since: string;
  synced_at: string | null;
  sync: { state: string };
}

async function get(hub: RunningHub, path: string): Promise<{ status: number; body: Answer }> {
  const response = await fetch(`${hub.url}${path}`, { headers: AUTH });
  return { status: response.status, body: await response.json() };
}

function assertOpaque(cursor: string): void {
  for (const part of cursor.split(".")) {
    let text = part;
    try {
      text = new TextDecoder().decode(
        Uint8Array.from(
          atob(part.replaceAll("-", "+").replaceAll("_", "/")),
          (ch) => ch.charCodeAt(0),
        ),
      );
    } catch {
      // Not base64: read as it is.
    }
    // Random bytes may hold any single character; a name or a JSON key is words long.
    assert.doesNotMatch(text, /hubspot|contact|ada|acme|chain|"[a-z]+":/i, `readable: ${part}`);
  }
}

Deno.test("a cursor works only for its caller, provider and filters, and reveals nothing", async () => {
  const kv = await Deno.openKv(":memory:");
  const hub = startHub({ store: createKvStore(kv) });
  try {
    await connect(hub, "hubspot", "ada");
    await connect(hub, "notion", "ada");
    await connect(hub, "hubspot", "bob");
    const items = (user: string, provider: string, rest: string) =>
      get(hub, `/integrations/${provider}/items?user_id=${user}&org_id=acme&limit=2${rest}`);

    for (const phase of ["live", "synced copy"]) {
      const first = await items("ada", "hubspot", "&type=contact");
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.synced_at === null, phase === "live");
      const cursor: string = first.body.next_cursor;
      assertOpaque(cursor);
      const again = `&type=contact&cursor=${encodeURIComponent(cursor)}`;

      const own = await items("ada", "hubspot", again);
      assert.equal(own.status, 200, `${phase}: ${JSON.stringify(own.body)}`);
      const refusals = {
        "another user": await items("bob", "hubspot", again),
        "other filters": await items(
          "ada",
          "hubspot",
          `&type=deal&cursor=${encodeURIComponent(cursor)}`,
        ),
        "no filters": await items("ada", "hubspot", `&cursor=${encodeURIComponent(cursor)}`),
        "another provider": await items("ada", "notion", `&cursor=${encodeURIComponent(cursor)}`),
        "altered": await items("ada", "hubspot", `&type=contact&cursor=${cursor.slice(0, -2)}AA`),
      };
      for (const [what, answer] of Object.entries(refusals)) {
        assert.equal(answer.status, 400, `${phase}, ${what}: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body.error.code, "invalid_request");
        assert.match(answer.body.error.message, /^Invalid request\. cursor: /);
      }

      if (phase === "live") {
        const sync = await fetch(
          `${hub.url}/integrations/hubspot/sync?user_id=ada&org_id=acme`,
          { method: "POST", headers: AUTH },
        );
        await sync.body?.cancel();
        for (let tries = 0; tries < 200; tries++) {
          const status = await get(hub, "/integrations/hubspot/status?user_id=ada&org_id=acme");
          if (status.body.sync.state === "ok") break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    }

    const changes = await get(hub, "/integrations/hubspot/changes?user_id=ada&org_id=acme&limit=2");
    assert.equal(changes.status, 200);
    assertOpaque(changes.body.next_since);
    const since = encodeURIComponent(changes.body.next_since);
    const theirs = await get(
      hub,
      `/integrations/hubspot/changes?user_id=bob&org_id=acme&since=${since}`,
    );
    assert.equal(theirs.status, 400);
    assert.match(theirs.body.error.message, /^Invalid request\. since: /);
    const mine = await get(
      hub,
      `/integrations/hubspot/changes?user_id=ada&org_id=acme&since=${since}`,
    );
    assert.equal(mine.status, 200);
  } finally {
    await hub.close();
    kv.close();
  }
});
