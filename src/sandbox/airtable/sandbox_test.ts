/**
 * The Airtable sandbox checked against Airtable's official JS client and the documented OAuth
 * rules (PKCE, Basic auth, single-use codes, rotation), over real HTTP.
 */
import assert from "node:assert/strict";
import Airtable from "airtable";
import { formFields } from "../../testing/browser.ts";
import { type AirtableSandboxOptions, createAirtableSandbox } from "./sandbox.ts";

const REDIRECT = "http://app.test/callback";
const VERIFIER = "v".repeat(20) + "erifier-0123456789_abcdefghijklmnop";
const BASIC = `Basic ${btoa("cid:csecret")}`;

async function challenge(verifier: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)),
  );
  return btoa(String.fromCharCode(...digest)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

function serve(options: Partial<AirtableSandboxOptions> = {}) {
  const sandbox = createAirtableSandbox({
    clientId: "cid",
    clientSecret: "csecret",
    redirectUris: [REDIRECT],
    ...options,
  });
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    sandbox.app.fetch,
  );
  return {
    ...sandbox,
    url: `http://127.0.0.1:${server.addr.port}`,
    close: () => server.shutdown(),
  };
}
type Served = ReturnType<typeof serve>;

async function authorize(s: Served, overrides: Record<string, string> = {}): Promise<Response> {
  const query = new URLSearchParams({
    client_id: "cid",
    redirect_uri: REDIRECT,
    response_type: "code",
    scope: "data.records:read schema.bases:read",
    state: "state-0123456789abcdef",
    code_challenge: await challenge(VERIFIER),
    code_challenge_method: "S256",
    ...overrides,
  });
  return await fetch(`${s.url}/oauth2/v1/authorize?${query}`);
}

async function code(s: Served): Promise<string> {
  const form = formFields(await (await authorize(s)).text());
  const posted = await fetch(`${s.url}${form.action}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ ...form.fields, decision: "approve" }),
    redirect: "manual",
  });
  return new URL(posted.headers.get("location")!).searchParams.get("code")!;
}

function token(s: Served, fields: Record<string, string>, auth: string | null = BASIC) {
  return fetch(`${s.url}/oauth2/v1/token`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      ...(auth ? { Authorization: auth } : {}),
    },
    body: new URLSearchParams(fields),
  });
}

async function connect(s: Served) {
  const response = await token(s, {
    grant_type: "authorization_code",
    code: await code(s),
    redirect_uri: REDIRECT,
    code_verifier: VERIFIER,
  });
  assert.equal(response.status, 200);
  return await response.json();
}

Deno.test("Airtable's official client lists every record of every table", async () => {
  // The client bursts past 5 requests per second and backs off on 429; a short penalty keeps
  // the test quick while still exercising that path.
  const s = serve({ rateLimit: { perBasePerSecond: 5, penaltyMs: 300 } });
  try {
    const tokens = await connect(s);
    const client = new Airtable({ apiKey: tokens.access_token, endpointUrl: s.url });
    let tables = 0;
    for (const base of s.control.bases) {
      for (const table of base.tables) {
        const records = await client.base(base.id).table(table.id).select({ pageSize: 50 }).all();
        assert.deepEqual(records.map((r) => r.id), table.records.map((r) => r.id));
        tables++;
      }
    }
    assert.ok(tables >= 6);
    assert.ok(s.control.bases.some((b) => b.tables.some((t) => t.records.length > 100)));
  } finally {
    await s.close();
  }
});

Deno.test("OAuth: PKCE enforced, Basic required, codes single-use, rotation kills old tokens", async () => {
  const s = serve();
  try {
    for (const missing of ["state", "code_challenge", "code_challenge_method"]) {
      const refused = await authorize(s, { [missing]: "" });
      assert.equal(refused.status, 400, missing);
      await refused.body?.cancel();
    }
    const shortState = await authorize(s, { state: "short" });
    assert.equal(shortState.status, 400);
    await shortState.body?.cancel();

    const first = await code(s);
    const secretInBody = await token(s, {
      grant_type: "authorization_code",
      code: first,
      redirect_uri: REDIRECT,
      code_verifier: VERIFIER,
      client_id: "cid",
      client_secret: "csecret",
    }, null);
    assert.equal(secretInBody.status, 401);
    assert.equal((await secretInBody.json()).error, "invalid_client");

    const wrongVerifier = await token(s, {
      grant_type: "authorization_code",
      code: await code(s),
      redirect_uri: REDIRECT,
      code_verifier: "w".repeat(43),
    });
    assert.equal(wrongVerifier.status, 400);
    assert.equal((await wrongVerifier.json()).error, "invalid_grant");

    const burnt = await code(s);
    const short = await token(s, {
      grant_type: "authorization_code",
      code: burnt,
      redirect_uri: REDIRECT,
      code_verifier: "short",
    });
    assert.equal(short.status, 400);
    await short.body?.cancel();
    const retried = await token(s, {
      grant_type: "authorization_code",
      code: burnt,
      redirect_uri: REDIRECT,
      code_verifier: VERIFIER,
    });
    assert.equal(retried.status, 400, "a code is single-use even after a failed exchange");
    await retried.body?.cancel();

    const tokens = await connect(s);
    assert.equal(tokens.token_type, "Bearer");
    assert.equal(tokens.expires_in, 3600);
    const rotated = await (await token(s, {
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token,
    })).json();
    assert.notEqual(rotated.refresh_token, tokens.refresh_token);
    const reuse = await token(s, {
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token,
    });
    assert.equal(reuse.status, 400);
    assert.equal((await reuse.json()).error, "invalid_grant");
    const oldAccess = await fetch(`${s.url}/v0/meta/bases`, {
      headers: { Authorization: `Bearer ${tokens.access_token}` },
    });
    assert.equal(oldAccess.status, 401);
    assert.equal((await oldAccess.json()).error.type, "AUTHENTICATION_REQUIRED");
    const newAccess = await fetch(`${s.url}/v0/meta/bases`, {
      headers: { Authorization: `Bearer ${rotated.access_token}` },
    });
    assert.equal(newAccess.status, 200);
    await newAccess.body?.cancel();
  } finally {
    await s.close();
  }
});

Deno.test("API: paging, page size bound, iterator expiry, per-base rate limit", async () => {
  const s = serve({ basesPageSize: 2, rateLimit: { perBasePerSecond: 5, penaltyMs: 300 } });
  try {
    const { access_token } = await connect(s);
    const get = (path: string) =>
      fetch(`${s.url}${path}`, { headers: { Authorization: `Bearer ${access_token}` } });
    const firstBases = await (await get("/v0/meta/bases")).json();
    assert.equal(firstBases.bases.length, 2);
    const rest = await (await get(`/v0/meta/bases?offset=${firstBases.offset}`)).json();
    assert.equal(rest.offset, undefined);

    const [big, other] = s.control.bases;
    const table = big.tables[0];
    const tooBig = await get(`/v0/${big.id}/${table.id}?pageSize=101`);
    assert.equal(tooBig.status, 422);
    await tooBig.body?.cancel();
    const page = await (await get(`/v0/${big.id}/${table.id}?pageSize=100`)).json();
    assert.equal(page.records.length, 100);
    assert.match(page.offset, /^itr.+\/rec/);
    s.control.expireIterators();
    const expired = await get(`/v0/${big.id}/${table.id}?offset=${page.offset}`);
    assert.equal(expired.status, 422);
    assert.equal((await expired.json()).error.type, "LIST_RECORDS_ITERATOR_NOT_AVAILABLE");

    await new Promise((r) => setTimeout(r, 1100));
    const burst = await Promise.all(
      Array.from({ length: 6 }, () => get(`/v0/${big.id}/${table.id}?pageSize=1`)),
    );
    const statuses = burst.map((r) => r.status);
    await Promise.all(burst.map((r) => r.body?.cancel()));
    assert.equal(statuses.filter((x) => x === 429).length, 1);
    const penalised = await get(`/v0/${big.id}/${table.id}?pageSize=1`);
    assert.equal(penalised.status, 429);
    assert.equal((await penalised.json()).errors[0].error, "RATE_LIMIT_REACHED");
    const otherBase = await get(`/v0/${other.id}/${other.tables[0].id}?pageSize=1`);
    assert.equal(otherBase.status, 200);
    await otherBase.body?.cancel();
  } finally {
    await s.close();
  }
});
