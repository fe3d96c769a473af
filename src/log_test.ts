/**
 * What an operator reads: through a whole Airtable flow (connect, list, a token the provider
 * retired and its refresh, a provider outage), every log line is one JSON object; each request
 * has one line with its id (also answered as X-Request-Id), each provider call and refresh one
 * line with its outcome, failures are warn or error with the reason; and no line holds a token,
 * the client secret, the OAuth code or state, the session cookie or any query value.
 */
import assert from "node:assert/strict";
import { Connections } from "./connections/connections.ts";
import { Sealer } from "./crypto/sealer.ts";
import { createAirtableSandbox } from "./sandbox/airtable/sandbox.ts";
import { createKvStore } from "./store/kv_store.ts";
import { TEST_API_KEY } from "./testing/hub.ts";
import { PROVIDER_CLIENT_SECRET, startProviderHub } from "./testing/provider_hub.ts";

const KEYS = [{ id: "log1", key: crypto.getRandomValues(new Uint8Array(32)) }];
const USER = "user-logcheck-7q";

Deno.test("log lines are JSON, carry request ids and outcomes, and hold no secret", async () => {
  const kv = await Deno.openKv(":memory:");
  const store = createKvStore(kv);
  const t = await startProviderHub({
    provider: "airtable",
    store,
    encryptionKeys: KEYS,
    user: USER,
    makeSandbox: createAirtableSandbox,
  });
  try {
    const connected = await t.connect();
    assert.equal(connected.location, "/?connected=airtable");
    const query = `user_id=${USER}&org_id=acme&limit=5`;
    const items = (path: string) =>
      fetch(`${t.hub.url}/integrations/airtable/items?${path}`, {
        headers: { Authorization: `Bearer ${TEST_API_KEY}`, "X-Request-Id": "trace-0001-abcd" },
      });
    const first = await items(query);
    assert.equal(first.status, 200);
    await first.body?.cancel();
    assert.equal(first.headers.get("X-Request-Id"), "trace-0001-abcd");
    const spent = (await new Connections(store, new Sealer(KEYS)).get("airtable", {
      userId: USER,
      orgId: "acme",
    }))!.tokens;

    await t.control.expireAccessTokens();
    const refreshed = await items(query);
    assert.equal(refreshed.status, 200);
    await refreshed.body?.cancel();

    t.control.failNext("api", { status: 503, body: { error: "down" } }, 10);
    const outage = await fetch(`${t.hub.url}/integrations/airtable/items?${query}`, {
      headers: { Authorization: `Bearer ${TEST_API_KEY}` },
    });
    assert.equal(outage.status, 502);
    await outage.body?.cancel();
    const outageId = outage.headers.get("X-Request-Id");
    assert.match(outageId ?? "", /^[0-9a-f-]{36}$/);

    const current = (await new Connections(store, new Sealer(KEYS)).get("airtable", {
      userId: USER,
      orgId: "acme",
    }))!.tokens;
    const lines = t.log.lines.map((line) => JSON.parse(line));
    for (const line of lines) {
      assert.equal(typeof line.time, "string");
      assert.ok(["info", "warn", "error"].includes(line.level), JSON.stringify(line));
    }
    const requests = lines.filter((line) => line.message === "request");
    for (const line of requests) {
      for (const field of ["request_id", "method", "route", "status", "ms", "caller"]) {
        assert.ok(field in line, `${field} in ${JSON.stringify(line)}`);
      }
    }
    assert.ok(requests.some((l) => l.route === "/integrations/:provider/oauth2callback"));
    const traced = lines.filter((line) => line.request_id === "trace-0001-abcd");
    assert.ok(traced.some((l) => l.message === "provider call" && l.outcome === "ok"));
    assert.ok(traced.some((l) => l.message === "provider call" && l.outcome === "unauthorized"));
    assert.ok(
      traced.some((l) => l.message === "token refresh" && l.outcome === "refreshed_after_401"),
    );
    const failed = lines.filter((line) => line.request_id === outageId);
    assert.ok(failed.some((l) => l.message === "provider call" && l.level === "warn"));
    const answer = failed.find((l) => l.message === "request");
    assert.equal(answer?.level, "error");
    assert.equal(answer?.status, 502);
    assert.equal(answer?.error_code, "provider_error");
    assert.match(answer?.reason, /Airtable failed \(HTTP 503\)/);

    const secrets = [
      spent.accessToken,
      spent.refreshToken!,
      current.accessToken,
      current.refreshToken!,
      PROVIDER_CLIENT_SECRET,
      TEST_API_KEY,
      connected.callback.searchParams.get("code")!,
      connected.callback.searchParams.get("state")!,
      ...t.browser.cookieValues(t.hub.url),
      USER,
    ];
    const everything = t.log.lines.join("\n");
    for (const secret of secrets) {
      assert.ok(secret.length >= 8, "a searchable secret");
      assert.ok(!everything.includes(secret), `a log line holds ${secret.slice(0, 4)}...`);
    }
  } finally {
    await t.close();
    kv.close();
  }
});
