/**
 * Connect-time calls (Airtable's whoami) go through the one provider-call path: a bearer token,
 * the contract's errors, and a slot from the shared pacer under the new connection's scopes.
 */
import assert from "node:assert/strict";
import type { Connection } from "../connections/connections.ts";
import { ProviderError } from "../errors.ts";
import { Pacer, RateLimitWaitTooLong } from "../pacing/pacer.ts";
import { callScopes } from "../pacing/scopes.ts";
import { airtable } from "../providers/airtable.ts";
import type { ActiveProvider } from "../providers/registry.ts";
import { createKvStore } from "../store/kv_store.ts";
import type { Store } from "../store/store.ts";
import { serveLocally } from "../testing/local_server.ts";
import { connectApi } from "./connect_api.ts";

const load = async (name: string) =>
  JSON.parse(
    await Deno.readTextFile(new URL(`../providers/testdata/${name}`, import.meta.url)),
  );
const token = await load("airtable_token.json");
const whoami = await load("airtable_whoami.json");
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The connection as it stands while the callback reads its account. */
const fresh: Connection = {
  provider: "airtable",
  owner: { userId: "ada", orgId: "acme" },
  status: "connected",
  account: null,
  scopes: [],
  connectedAt: new Date(0).toISOString(),
  extra: {},
  lastError: null,
  tokens: { accessToken: token.access_token, refreshToken: null, expiresAt: null, obtainedAt: 0 },
};

function airtableAt(apiUrl: string, spec: ActiveProvider["spec"] = airtable): ActiveProvider {
  return {
    spec,
    app: {
      clientId: "c",
      clientSecret: "s",
      redirectUri: "http://hub.test/cb",
      authorizeUrl: `${apiUrl}/authorize`,
      tokenUrl: `${apiUrl}/token`,
      apiUrl,
      sandbox: false,
      fetch,
    },
  };
}

async function withStore(fn: (store: Store) => Promise<void>): Promise<void> {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(createKvStore(kv));
  } finally {
    kv.close();
  }
}

Deno.test("Airtable's readAccount validates the token answer and asks whoami with a bearer header", async () => {
  const seen: { path: string; auth: string | null }[] = [];
  let reply: { status: number; body: unknown } = { status: 200, body: whoami };
  const server = serveLocally((request) => {
    const url = new URL(request.url);
    seen.push({ path: url.pathname + url.search, auth: request.headers.get("Authorization") });
    return Response.json(reply.body, { status: reply.status });
  });
  try {
    await withStore(async (store) => {
      const api = connectApi(airtableAt(server.url), fresh, {
        pacer: new Pacer({ store, clock: Date.now, sleep }),
        sleep,
        clock: Date.now,
      });
      const info = await airtable.readAccount(token, api);
      assert.deepEqual(info, {
        account: { id: "usrL2PNC5o3H4lBEi", name: "usrL2PNC5o3H4lBEi" },
        extra: {},
        scopes: ["data.records:read", "schema.bases:read"],
      });
      assert.deepEqual(seen[0], {
        path: "/v0/meta/whoami",
        auth: `Bearer ${token.access_token}`,
      });

      reply = { status: 200, body: { ...whoami, email: "ada@example.com" } };
      const { scope: _, ...noScope } = token;
      const withEmail = await airtable.readAccount(noScope, api);
      assert.equal(withEmail.account.name, "ada@example.com");
      assert.deepEqual(
        withEmail.scopes,
        whoami.scopes,
        "scopes from whoami when the answer has none",
      );

      for (const status of [401, 403]) {
        reply = { status, body: { error: { type: "AUTHENTICATION_REQUIRED" } } };
        await assert.rejects(airtable.readAccount(token, api), (e: Error) => {
          assert.ok(e instanceof ProviderError);
          assert.equal(e.message, `Airtable did not identify the account (HTTP ${status}).`);
          assert.doesNotMatch(e.message, new RegExp(token.access_token.slice(0, 12)));
          return true;
        });
      }
      reply = { status: 200, body: { nobody: true } };
      await assert.rejects(airtable.readAccount(token, api), /did not identify the account/);
      await assert.rejects(airtable.readAccount({ token_type: "Bearer" }, api), ProviderError);
    });
  } finally {
    await server.close();
  }
});

Deno.test("a connect's whoami takes its slot from the shared pacer, under the new connection's token scope", async () => {
  const server = serveLocally(() => Response.json(whoami));
  // One call a minute per token: whoami's slot is the only one until the window passes.
  const strict: ActiveProvider["spec"] = {
    ...airtable,
    rateLimits: {
      ...airtable.rateLimits,
      rules: airtable.rateLimits.rules.map((rule) =>
        rule.name === "token" ? { ...rule, requests: 1, windowMs: 60_000 } : rule
      ),
    },
  };
  try {
    await withStore(async (store) => {
      const connecting = new Pacer({ store, clock: Date.now, sleep });
      const api = connectApi(airtableAt(server.url, strict), fresh, {
        pacer: connecting,
        sleep,
        clock: Date.now,
      });
      await airtable.readAccount(token, api);
      assert.equal(connecting.stats.slots, 1, "whoami took one slot");

      // Another process on the store: the connection's first listing call (the bases list,
      // counted by the token alone) finds the token's minute already spent by whoami.
      const other = new Pacer({ store, clock: Date.now, sleep });
      const { scopes } = callScopes(strict, fresh, { method: "GET", path: "/v0/meta/bases" });
      await assert.rejects(
        other.session().acquire(scopes, 0),
        (e) => e instanceof RateLimitWaitTooLong && e.waitMs > 50_000,
      );
    });
  } finally {
    await server.close();
  }
});
