/**
 * The token keeper against a real HTTP token endpoint that rotates refresh tokens strictly
 * (a used refresh token is dead), with faults injected. Two keepers on one store stand for two
 * hub processes.
 */
import assert from "node:assert/strict";
import { Sealer } from "../crypto/sealer.ts";
import { ConnectionBusyError, ProviderError, ReconnectRequiredError } from "../errors.ts";
import { keys } from "../store/keys.ts";
import { hubspot } from "../providers/hubspot.ts";
import type { ActiveProvider, ProviderApp } from "../providers/registry.ts";
import { createKvStore } from "../store/kv_store.ts";
import type { Store } from "../store/store.ts";
import { createUpstashStore } from "../store/upstash_store.ts";
import { startTestRedis, startUpstashForTests } from "../testing/redis_harness.ts";
import { type Connection, Connections } from "./connections.ts";
import { TokenKeeper } from "./token_keeper.ts";
import { serveLocally } from "../testing/local_server.ts";

/** A strict rotating token endpoint: each refresh token works once. */
function startTokenEndpoint() {
  let generation = 0;
  const state = {
    refreshes: 0,
    reusedRefreshTokens: 0,
    validRefresh: "rt-0",
    /** Responses to give before behaving normally. */
    faults: [] as ("500" | "429" | "invalid_grant" | "slow")[],
  };
  const server = serveLocally(async (req) => {
    const form = new URLSearchParams(await req.text());
    const fault = state.faults.shift();
    if (fault === "500") return new Response("oops", { status: 500 });
    if (fault === "429") return new Response("slow down", { status: 429 });
    if (fault === "slow") await new Promise((r) => setTimeout(r, 300));
    if (fault === "invalid_grant" || form.get("refresh_token") !== state.validRefresh) {
      if (fault !== "invalid_grant") state.reusedRefreshTokens++;
      return Response.json({ error: "invalid_grant", error_description: "dead" }, { status: 400 });
    }
    await new Promise((r) => setTimeout(r, 50));
    generation++;
    state.refreshes++;
    state.validRefresh = `rt-${generation}`;
    return Response.json({
      access_token: `at-${generation}`,
      refresh_token: state.validRefresh,
      expires_in: 1800,
      token_type: "bearer",
    });
  });
  return {
    state,
    url: `${server.url}/token`,
    close: server.close,
  };
}

function providerFor(tokenUrl: string): ActiveProvider {
  const app: ProviderApp = {
    clientId: "client",
    clientSecret: "client-secret",
    redirectUri: "http://hub.test/cb",
    authorizeUrl: "http://provider.test/authorize",
    tokenUrl,
    apiUrl: "http://provider.test",
    sandbox: false,
    fetch,
  };
  return { spec: { ...hubspot, oauth: { ...hubspot.oauth, rotatesRefreshTokens: true } }, app };
}

const owner = { userId: "alice", orgId: "acme" };
const KEYS = [{ id: "k", key: new Uint8Array(32).fill(5) }];

function connection(expiresAt: number | null): Connection {
  return {
    provider: "hubspot",
    owner,
    status: "connected",
    account: { id: "1", name: "acct" },
    scopes: [],
    connectedAt: new Date().toISOString(),
    extra: {},
    lastError: null,
    tokens: { accessToken: "at-0", refreshToken: "rt-0", expiresAt, obtainedAt: Date.now() },
  };
}

function keeperOn(store: Store) {
  const connections = new Connections(store, new Sealer(KEYS));
  const keeper = new TokenKeeper({
    store,
    connections,
    clock: Date.now,
    sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))),
    refreshMarginMs: 60_000,
  });
  return { connections, keeper };
}

async function withKv(fn: (store: Store) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(createKvStore(kv));
  } finally {
    kv.close();
  }
}

Deno.test("a fresh token is used as it is, without a refresh", async () => {
  const endpoint = startTokenEndpoint();
  await withKv(async (store) => {
    const { connections, keeper } = keeperOn(store);
    const conn = connection(Date.now() + 3_600_000);
    await connections.save(conn);
    assert.equal(await keeper.accessToken(providerFor(endpoint.url), conn), "at-0");
    assert.equal(endpoint.state.refreshes, 0);
  });
  await endpoint.close();
});

Deno.test("50 concurrent uses of an expiring token refresh it exactly once", async () => {
  const endpoint = startTokenEndpoint();
  await withKv(async (store) => {
    const { connections, keeper } = keeperOn(store);
    const conn = connection(Date.now() + 1_000);
    await connections.save(conn);
    const tokens = await Promise.all(
      Array.from({ length: 50 }, () => keeper.accessToken(providerFor(endpoint.url), conn)),
    );
    assert.deepEqual(new Set(tokens), new Set(["at-1"]));
    assert.equal(endpoint.state.refreshes, 1);
    assert.equal(endpoint.state.reusedRefreshTokens, 0);
    const stored = await connections.get("hubspot", owner);
    assert.equal(stored?.tokens.refreshToken, "rt-1");
  });
  await endpoint.close();
});

const redis = await startTestRedis();
await redis?.close();

Deno.test({
  name: "two hub processes on one Redis refresh a rotating token once between them",
  ignore: redis === null,
  fn: async () => {
    const endpoint = startTokenEndpoint();
    const upstash = await startUpstashForTests();
    try {
      const a = keeperOn(createUpstashStore(upstash));
      const b = keeperOn(createUpstashStore(upstash));
      const conn = connection(Date.now() + 1_000);
      await a.connections.save(conn);
      const provider = providerFor(endpoint.url);
      const tokens = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).keeper.accessToken(provider, conn)),
      );
      assert.deepEqual(new Set(tokens), new Set(["at-1"]));
      assert.equal(endpoint.state.refreshes, 1);
      assert.equal(endpoint.state.reusedRefreshTokens, 0);
    } finally {
      await upstash.close();
      await endpoint.close();
    }
  },
});

Deno.test("temporary refresh failures are retried and never lose the working token", async () => {
  const endpoint = startTokenEndpoint();
  await withKv(async (store) => {
    const { connections, keeper } = keeperOn(store);
    const provider = providerFor(endpoint.url);
    const conn = connection(Date.now() + 30_000);
    await connections.save(conn);
    endpoint.state.faults = ["500", "429"];
    assert.equal(await keeper.accessToken(provider, conn), "at-1");
    assert.equal(endpoint.state.refreshes, 1);

    // Every attempt fails: the still-valid token is handed out and nothing is overwritten.
    const current = (await connections.get("hubspot", owner))!;
    const nearExpiry = {
      ...current,
      tokens: { ...current.tokens, expiresAt: Date.now() + 30_000 },
    };
    await connections.save(nearExpiry);
    endpoint.state.faults = ["500", "500", "500"];
    assert.equal(await keeper.accessToken(provider, nearExpiry), "at-1");
    const after = (await connections.get("hubspot", owner))!;
    assert.equal(after.status, "connected");
    assert.equal(after.tokens.refreshToken, "rt-1");

    // An expired token whose refresh keeps failing is a clear temporary error, tokens kept.
    const expired = { ...after, tokens: { ...after.tokens, expiresAt: Date.now() - 1 } };
    await connections.save(expired);
    endpoint.state.faults = ["500", "500", "500"];
    await assert.rejects(keeper.accessToken(provider, expired), ProviderError);
    assert.equal((await connections.get("hubspot", owner))?.tokens.refreshToken, "rt-1");
  });
  await endpoint.close();
});

Deno.test("invalid_grant marks the connection reconnect_required and keeps it", async () => {
  const endpoint = startTokenEndpoint();
  await withKv(async (store) => {
    const { connections, keeper } = keeperOn(store);
    const conn = connection(Date.now() - 1);
    await connections.save(conn);
    endpoint.state.faults = ["invalid_grant"];
    await assert.rejects(
      keeper.accessToken(providerFor(endpoint.url), conn),
      ReconnectRequiredError,
    );
    const stored = await connections.get("hubspot", owner);
    assert.equal(stored?.status, "reconnect_required");
    assert.equal(stored?.tokens.refreshToken, "rt-0");
    await assert.rejects(
      keeper.accessToken(providerFor(endpoint.url), stored!),
      ReconnectRequiredError,
    );
  });
  await endpoint.close();
});

Deno.test("a rejected token is replaced once, and a token with no expiry is not refreshed early", async () => {
  const endpoint = startTokenEndpoint();
  await withKv(async (store) => {
    const { connections, keeper } = keeperOn(store);
    const provider = providerFor(endpoint.url);
    const conn = connection(null);
    await connections.save(conn);
    assert.equal(await keeper.accessToken(provider, conn), "at-0");
    const [first, second] = await Promise.all([
      keeper.accessToken(provider, conn, "at-0"),
      keeper.accessToken(provider, conn, "at-0"),
    ]);
    assert.equal(first, "at-1");
    assert.equal(second, "at-1");
    assert.equal(endpoint.state.refreshes, 1);
  });
  await endpoint.close();
});

Deno.test("a stale read is never refreshed or marked: the stored token is used", async () => {
  const endpoint = startTokenEndpoint();
  await withKv(async (store) => {
    const { connections, keeper } = keeperOn(store);
    const provider = providerFor(endpoint.url);
    const stale = connection(Date.now() + 3_600_000);
    await connections.save(stale);
    // Another request replaces the token (rt-0 is spent) while this one still holds `stale`.
    assert.equal(await keeper.accessToken(provider, stale, "at-0"), "at-1");
    // The provider then rejects at-0 for the holder of the stale read: no refresh, no mark.
    endpoint.state.faults = ["invalid_grant"];
    assert.equal(await keeper.accessToken(provider, stale, "at-0"), "at-1");
    assert.equal(endpoint.state.refreshes, 1);
    const stored = await connections.get("hubspot", owner);
    assert.equal(stored?.status, "connected");
    assert.equal(stored?.tokens.refreshToken, "rt-1");
  });
  await endpoint.close();
});

Deno.test("a reconnect message is said once, not prefixed again on each use", async () => {
  const endpoint = startTokenEndpoint();
  await withKv(async (store) => {
    const { connections, keeper } = keeperOn(store);
    const provider = providerFor(endpoint.url);
    await connections.save(connection(Date.now() - 1));
    endpoint.state.faults = ["invalid_grant"];
    await assert.rejects(keeper.accessToken(provider, connection(Date.now() - 1)));
    const marked = (await connections.get("hubspot", owner))!;
    await assert.rejects(keeper.accessToken(provider, marked), (error: Error) => {
      assert.equal(error.message.match(/needs you to reconnect/g)?.length, 1, error.message);
      return error instanceof ReconnectRequiredError;
    });
  });
  await endpoint.close();
});

Deno.test("a lock held past the wait is connection_busy (503, Retry-After), not a provider error", async () => {
  await withKv(async (store) => {
    let now = Date.now();
    const connections = new Connections(store, new Sealer(KEYS));
    const keeper = new TokenKeeper({
      store,
      connections,
      // Each look at the clock is ten seconds later: the 25 s wait runs out in a few polls.
      clock: () => now += 10_000,
      sleep: () => Promise.resolve(),
      refreshMarginMs: 60_000,
    });
    const provider = providerFor("http://provider.test/token");
    await store.setIfAbsent(
      keys.refreshLock("hubspot", owner.orgId, owner.userId),
      "other",
      60_000,
    );
    let ran = false;
    await assert.rejects(
      keeper.exclusive(provider, owner, () => Promise.resolve(ran = true)),
      (error: Error) => {
        assert.ok(error instanceof ConnectionBusyError, error.name);
        assert.ok(!(error instanceof ProviderError));
        assert.equal(error.code, "connection_busy");
        assert.equal(error.status, 503);
        assert.equal(error.headers["Retry-After"], "5");
        assert.match(error.message, /Another request is still working on the HubSpot connection/);
        return true;
      },
    );
    assert.equal(ran, false);
  });
});
