/** The keeper's lock wait is the hub's own: past its bound it is connection_busy. */
import assert from "node:assert/strict";
import { Sealer } from "../crypto/sealer.ts";
import { ConnectionBusyError, ProviderError } from "../errors.ts";
import { hubspot } from "../providers/hubspot.ts";
import type { ActiveProvider } from "../providers/registry.ts";
import { createKvStore } from "../store/kv_store.ts";
import { keys } from "../store/keys.ts";
import { Connections } from "./connections.ts";
import { TokenKeeper } from "./token_keeper.ts";

const owner = { userId: "alice", orgId: "acme" };
const KEYS = [{ id: "k", key: new Uint8Array(32).fill(5) }];

Deno.test("a lock held past the wait is connection_busy (503, Retry-After), not a provider error", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const store = createKvStore(kv);
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
    const provider: ActiveProvider = {
      spec: hubspot,
      app: {
        clientId: "client",
        clientSecret: "client-secret",
        redirectUri: "http://hub.test/cb",
        authorizeUrl: "http://provider.test/authorize",
        tokenUrl: "http://provider.test/token",
        apiUrl: "http://provider.test",
        sandbox: false,
        fetch,
      },
    };
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
  } finally {
    kv.close();
  }
});
