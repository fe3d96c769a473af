import assert from "node:assert/strict";
import { z } from "zod";
import type { Connection } from "../connections/connections.ts";
import { Connections } from "../connections/connections.ts";
import { TokenKeeper } from "../connections/token_keeper.ts";
import { Sealer } from "../crypto/sealer.ts";
import { Pacer, type PacerDeps } from "../pacing/pacer.ts";
import type { ActiveProvider } from "../providers/registry.ts";
import { jsonLogger, type Logger } from "../log.ts";
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

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const OK_SCHEMA = z.object({ ok: z.boolean() });

/**
 * Runs `use` with a client for one connection whose provider app answers every call with
 * `{ ok: true }`, noting each call's URL.
 */
async function withClient(
  options: {
    spec: ActiveProvider["spec"];
    extra?: Record<string, string>;
    pacer?: Omit<PacerDeps, "store">;
    log?: Logger;
  },
  use: (api: ProviderApiClient, pacer: Pacer, urls: string[]) => Promise<void>,
): Promise<void> {
  const kv = await Deno.openKv(":memory:");
  try {
    const store = createKvStore(kv);
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
      spec: options.spec,
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
    const pacer = new Pacer({ store, ...(options.pacer ?? { clock: Date.now, sleep }) });
    const api = new ProviderApiClient({
      provider,
      connection: connection(options.extra ?? {}),
      keeper,
      pacer: pacer.session(),
      sleep,
      log: options.log,
    });
    await use(api, pacer, urls);
  } finally {
    kv.close();
  }
}

async function callOnce(extra: Record<string, string>): Promise<string[]> {
  let sent: string[] = [];
  await withClient({ spec: perConnection, extra }, async (api, _pacer, urls) => {
    const answer = await api.call(
      { method: "GET", path: "/v1/things", query: { a: "1" } },
      OK_SCHEMA,
    );
    assert.deepEqual(answer, { ok: true });
    sent = urls;
  });
  return sent;
}

Deno.test("a spec's apiBase sends a connection's calls to the base stored with it", async () => {
  const urls = await callOnce({ instance_url: "https://eu12.instance.example.test" });
  assert.deepEqual(urls, ["https://eu12.instance.example.test/v1/things?a=1"]);
});

Deno.test("without a stored base the call goes to the app's apiUrl", async () => {
  assert.deepEqual(await callOnce({}), [`${APP_API}/v1/things?a=1`]);
});

Deno.test("a slot that went stale before its call left is taken again, and logged", async () => {
  const lines: string[] = [];
  const spec: ActiveProvider["spec"] = {
    ...notion,
    rateLimits: {
      ...notion.rateLimits,
      rules: [{ ...notion.rateLimits.rules[0], requests: 1, windowMs: 100 }],
    },
  };
  // Wakes 120 ms late, as a loaded machine's event loop may: past the 50 ms margin.
  const lateSleep = (ms: number) => sleep(ms + 120);
  await withClient({
    spec,
    pacer: { clock: Date.now, sleep: lateSleep, shareRoundTrips: false },
    log: jsonLogger((line) => lines.push(line)),
  }, async (api, pacer, urls) => {
    const request = { method: "GET", path: "/v1/things" } as const;
    await api.call(request, OK_SCHEMA);
    await api.call(request, OK_SCHEMA);
    assert.equal(urls.length, 2);
    const retaken = lines.map((line) => JSON.parse(line)).filter((line) =>
      line.message === "rate-limit slot retaken"
    );
    assert.equal(retaken.length, 1, lines.join("\n"));
    assert.equal(retaken[0].provider, "notion");
    assert.ok(retaken[0].late_ms >= 100, `late by ${retaken[0].late_ms} ms`);
    // The first call's slot, the second's that went stale, and the one it left with.
    assert.equal(pacer.stats.roundTrips, 3);
  });
});
