/**
 * The emulated OAuth server as each sandbox serves it, over real HTTP, in one table: codes,
 * refresh (rotating or fixed), reuse, revocation, expiry, faults, counters and the store that
 * outlives a sandbox. What only one provider does on the wire stays in that sandbox's own tests.
 */
import assert from "node:assert/strict";
import { createMemoryStore } from "../store/memory_store.ts";
import type { Store } from "../store/store.ts";
import type { InjectedFault } from "./emulator.ts";
import type { OAuthCounters } from "./oauth_server.ts";
import * as airtable from "../testing/sandboxes/airtable.ts";
import * as hubspot from "../testing/sandboxes/hubspot.ts";
import * as notion from "../testing/sandboxes/notion.ts";

/** What the suite needs of a sandbox's control. */
interface Control {
  readonly counters: OAuthCounters;
  expireAccessTokens(): Promise<void>;
  liveRefreshTokens(): Promise<string[]>;
  failNext(kind: "token", fault: InjectedFault): void;
}

interface Served {
  control: Control;
  close(): Promise<void>;
  /** An approved code, from the consent page. */
  code(): Promise<string>;
  exchange(code: string): Promise<Response>;
  refresh(refreshToken: string): Promise<Response>;
  /** The status of one API call with this access token. */
  api(accessToken: string): Promise<number>;
  revokeAll(): Promise<void>;
}

interface Row {
  name: string;
  serve(clock: () => number, store: Store): Served;
  /** Each refresh replaces the refresh token and kills the previous pair. */
  rotates: boolean;
  /** An access token works until it expires even when its grant is revoked. */
  accessOutlivesRevocation: boolean;
}

/** The OAuth error code of a refusal: RFC 6749's `error`, or Notion's `code`. */
async function oauthError(response: Response): Promise<string> {
  const body = await response.json();
  return body.error ?? body.code;
}

const ROWS: Row[] = [
  {
    name: "HubSpot",
    rotates: false,
    accessOutlivesRevocation: true,
    serve: (clock, store) => {
      const s = hubspot.serveSandbox({ clock, store });
      // hubspot.exchange reads the answer whole; hand it on as a response like the others'.
      const grant = async (fields: Record<string, string>) => {
        const answer = await hubspot.exchange(s, fields);
        return new Response(answer.text, { status: answer.status });
      };
      return {
        control: s.control,
        close: s.close,
        code: async () => (await hubspot.install(s, "approve")).searchParams.get("code")!,
        exchange: (code) =>
          grant({ grant_type: "authorization_code", code, redirect_uri: hubspot.REDIRECT }),
        refresh: (token) => grant({ grant_type: "refresh_token", refresh_token: token }),
        api: async (token) =>
          (await hubspot.crm(s, "/crm/v3/objects/contacts?limit=1", token)).status,
        revokeAll: () => s.control.revokeRefreshTokens(),
      };
    },
  },
  {
    name: "Airtable",
    rotates: true,
    accessOutlivesRevocation: false,
    serve: (clock, store) => {
      const s = airtable.serve({ clock, store });
      return {
        control: s.control,
        close: s.close,
        code: () => airtable.code(s),
        exchange: (code) =>
          airtable.tokenRequest(s, {
            grant_type: "authorization_code",
            code,
            redirect_uri: airtable.REDIRECT,
            code_verifier: airtable.VERIFIER,
          }),
        refresh: (token) =>
          airtable.tokenRequest(s, { grant_type: "refresh_token", refresh_token: token }),
        api: async (token) =>
          (await airtable.answer(await airtable.apiGet(s, token, "/v0/meta/bases"))).status,
        revokeAll: () => s.control.revokeAll(),
      };
    },
  },
  {
    name: "Notion",
    rotates: true,
    accessOutlivesRevocation: false,
    serve: (clock, store) => {
      const s = notion.serve({ clock, store });
      return {
        control: s.control,
        close: s.close,
        code: async () => (await notion.authorize(s, "approve")).searchParams.get("code")!,
        exchange: (code) =>
          notion.tokenRequest(s, {
            grant_type: "authorization_code",
            code,
            redirect_uri: notion.REDIRECT,
          }),
        refresh: (token) =>
          notion.tokenRequest(s, { grant_type: "refresh_token", refresh_token: token }),
        api: async (token) => {
          const response = await notion.searchRequest(s, token, {});
          await response.body?.cancel();
          return response.status;
        },
        revokeAll: () => s.control.revokeAll(),
      };
    },
  },
];

/** A served sandbox on a fake clock and its own store, closed after `test`. */
async function withSandbox(
  row: Row,
  test: (s: Served, clock: { advance(ms: number): void }) => Promise<void>,
  store: Store = createMemoryStore(),
): Promise<void> {
  let now = Date.UTC(2026, 2, 10, 12);
  const s = row.serve(() => now, store);
  try {
    await test(s, { advance: (ms) => void (now += ms) });
  } finally {
    await s.close();
  }
}

type Tokens = { access_token: string; refresh_token: string };

async function tokensOf(response: Response): Promise<Tokens> {
  assert.equal(response.status, 200);
  return await response.json();
}

async function connect(s: Served): Promise<Tokens> {
  return await tokensOf(await s.exchange(await s.code()));
}

for (const row of ROWS) {
  Deno.test(`${row.name}: a code works once, and only for ten minutes`, async () => {
    await withSandbox(row, async (s, clock) => {
      const code = await s.code();
      await tokensOf(await s.exchange(code));
      const again = await s.exchange(code);
      assert.equal(again.status, 400);
      assert.equal(await oauthError(again), "invalid_grant");
      const late = await s.code();
      clock.advance(10 * 60 * 1000 + 1);
      assert.equal(await oauthError(await s.exchange(late)), "invalid_grant");
      assert.equal(s.control.counters.codeExchanges, 1);
      assert.equal(s.control.counters.tokenCalls.authorization_code, 3);
    });
  });

  Deno.test(`${row.name}: a refresh mints a new access token and ${row.rotates ? "rotates" : "keeps"} the refresh token`, async () => {
    await withSandbox(row, async (s) => {
      const first = await connect(s);
      const second = await tokensOf(await s.refresh(first.refresh_token));
      assert.notEqual(second.access_token, first.access_token);
      assert.equal(await s.api(second.access_token), 200);
      assert.equal(s.control.counters.refreshes, 1);
      assert.equal(s.control.counters.tokenCalls.refresh_token, 1);
      assert.deepEqual(await s.control.liveRefreshTokens(), [second.refresh_token]);
      if (row.rotates) {
        assert.notEqual(second.refresh_token, first.refresh_token);
        // The previous pair died with the rotation; its refresh token is a counted reuse.
        assert.equal(await s.api(first.access_token), 401);
        const reuse = await s.refresh(first.refresh_token);
        assert.equal(reuse.status, 400);
        assert.equal(await oauthError(reuse), "invalid_grant");
        assert.equal(s.control.counters.reusedRefreshTokens, 1);
      } else {
        assert.equal(second.refresh_token, first.refresh_token);
        assert.equal(await s.api(first.access_token), 200);
        await tokensOf(await s.refresh(first.refresh_token));
        assert.equal(s.control.counters.reusedRefreshTokens, 0);
      }
    });
  });

  if (row.rotates) {
    Deno.test(`${row.name}: of two refreshes with one token at the same moment, one rotates`, async () => {
      await withSandbox(row, async (s) => {
        const first = await connect(s);
        const answers = await Promise.all([
          s.refresh(first.refresh_token),
          s.refresh(first.refresh_token),
        ]);
        assert.deepEqual(answers.map((a) => a.status).sort(), [200, 400]);
        await Promise.all(answers.map((a) => a.body?.cancel()));
        assert.equal(s.control.counters.refreshes, 1);
        assert.equal(s.control.counters.reusedRefreshTokens, 1);
        assert.equal((await s.control.liveRefreshTokens()).length, 1);
      });
    });
  }

  Deno.test(`${row.name}: a revoked grant refreshes no more; its access token ${row.accessOutlivesRevocation ? "lives until expiry" : "dies"}`, async () => {
    await withSandbox(row, async (s) => {
      const tokens = await connect(s);
      await s.revokeAll();
      const refused = await s.refresh(tokens.refresh_token);
      assert.equal(refused.status, 400);
      assert.equal(await oauthError(refused), "invalid_grant");
      assert.deepEqual(await s.control.liveRefreshTokens(), []);
      assert.equal(await s.api(tokens.access_token), row.accessOutlivesRevocation ? 200 : 401);
      assert.equal(s.control.counters.reusedRefreshTokens, 0);
    });
  });

  Deno.test(`${row.name}: an expired access token is refused by the API and refreshed`, async () => {
    await withSandbox(row, async (s) => {
      const tokens = await connect(s);
      await s.control.expireAccessTokens();
      assert.equal(await s.api(tokens.access_token), 401);
      const fresh = await tokensOf(await s.refresh(tokens.refresh_token));
      assert.equal(await s.api(fresh.access_token), 200);
    });
  });

  Deno.test(`${row.name}: an injected token fault answers the next request only`, async () => {
    await withSandbox(row, async (s) => {
      const code = await s.code();
      s.control.failNext("token", { status: 503, body: { error: "temporarily_unavailable" } });
      const failed = await s.exchange(code);
      assert.equal(failed.status, 503);
      await failed.body?.cancel();
      // The fault came before the code was read: the code still works.
      await tokensOf(await s.exchange(code));
    });
  });

  Deno.test(`${row.name}: what one sandbox hands out works in the next on the same store`, async () => {
    const store = createMemoryStore();
    let tokens: Tokens | null = null;
    await withSandbox(row, async (s) => void (tokens = await connect(s)), store);
    await withSandbox(row, async (s) => {
      assert.equal(await s.api(tokens!.access_token), 200);
      const next = await tokensOf(await s.refresh(tokens!.refresh_token));
      assert.equal(await s.api(next.access_token), 200);
    }, store);
  });
}
