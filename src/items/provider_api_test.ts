import assert from "node:assert/strict";
import { z } from "zod";
import type { Connection } from "../connections/connections.ts";
import { Connections } from "../connections/connections.ts";
import { TokenKeeper } from "../connections/token_keeper.ts";
import { Sealer } from "../crypto/sealer.ts";
import { Pacer } from "../pacing/pacer.ts";
import type { ActiveProvider } from "../providers/registry.ts";
import { notion } from "../providers/notion.ts";
import { createKvStore } from "../store/kv_store.ts";
import { ProviderApiClient } from "./provider_api.ts";

const APP_API = "https://api.example.test";

/** A spec like a provider whose API base is stored with each connection (an instance_url). */
const perConnection: ActiveProvider["spec"] = {
  ...notion,
  apiBase: (extra) => extra.instance_url,
};

function connection(extra: Record<string, string>): Connection {
  return {
    provider: "notion",
    owner: { userId: "ada", orgId: "acme" },
    status: "connected",
    account: { id: "acct", name: "Acct" },
    scopes: [],
    connectedAt: new Date(0).toISOString(),
    extra,
    lastError: null,
    tokens: { accessToken: "at", refreshToken: null, expiresAt: null, obtainedAt: 0 },
  };
}

async function callOnce(extra: Record<string, string>): Promise<string[]> {
  const kv = await Deno.openKv(":memory:");
  try {
    const store = createKvStore(kv);
    const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
    const connections = new Connections(store, new Sealer([{ id: "k", key: new Uint8Array(32) }]));
    const keeper = new TokenKeeper({
      store,
      connections,
      clock: Date.now,
      sleep,
      refreshMarginMs: 0,
    });
    const urls: string[] = [];
    const provider: ActiveProvider = {
      spec: perConnection,
      app: {
        clientId: "c",
        clientSecret: "s",
        redirectUri: "https://hub.example.test/cb",
        authorizeUrl: `${APP_API}/authorize`,
        tokenUrl: `${APP_API}/token`,
        apiUrl: APP_API,
        sandbox: false,
        fetch: (input) => {
          urls.push(String(input));
          return Promise.resolve(Response.json({ ok: true }));
        },
      },
    };
    const api = new ProviderApiClient({
      provider,
      connection: connection(extra),
      keeper,
      pacer: new Pacer({ store, clock: Date.now, sleep }).session(),
      sleep,
    });
    const answer = await api.call(
      { method: "GET", path: "/v1/things", query: { a: "1" } },
      z.object({ ok: z.boolean() }),
    );
    assert.deepEqual(answer, { ok: true });
    return urls;
  } finally {
    kv.close();
  }
}

Deno.test("a spec's apiBase sends a connection's calls to the base stored with it", async () => {
  const urls = await callOnce({ instance_url: "https://eu12.instance.example.test" });
  assert.deepEqual(urls, ["https://eu12.instance.example.test/v1/things?a=1"]);
});

Deno.test("without a stored base the call goes to the app's apiUrl", async () => {
  assert.deepEqual(await callOnce({}), [`${APP_API}/v1/things?a=1`]);
});
