/**
 * The HubSpot sandbox checked against code no one here wrote (HubSpot's official Node SDK) and
 * against the documented OAuth and CRM behaviour, over real HTTP.
 */
import assert from "node:assert/strict";
import { Client } from "@hubspot/api-client";
import { formFields } from "../../testing/browser.ts";
import { createHubspotSandbox, type HubspotSandboxOptions } from "./sandbox.ts";

const REDIRECT = "http://app.test/callback";
const SCOPES = "oauth crm.objects.contacts.read crm.objects.companies.read crm.objects.deals.read";

function serve(options: Partial<HubspotSandboxOptions> = {}) {
  const sandbox = createHubspotSandbox({
    clientId: "cid",
    clientSecret: "csecret",
    redirectUris: [REDIRECT],
    ...options,
  });
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    sandbox.app.fetch,
  );
  const url = `http://127.0.0.1:${server.addr.port}`;
  return { ...sandbox, url, close: () => server.shutdown() };
}

type Served = ReturnType<typeof serve>;

/** The install screen, Approve, and the redirect back: returns the redirect URL. */
async function authorize(s: Served, decision: "approve" | "deny", scope = SCOPES): Promise<URL> {
  const query = new URLSearchParams({
    client_id: "cid",
    redirect_uri: REDIRECT,
    scope,
    state: "st",
  });
  const page = await fetch(`${s.url}/oauth/authorize?${query}`);
  assert.equal(page.status, 200);
  const form = formFields(await page.text());
  const posted = await fetch(`${s.url}${form.action}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ ...form.fields, decision }),
    redirect: "manual",
  });
  assert.equal(posted.status, 302);
  return new URL(posted.headers.get("location")!);
}

function token(s: Served, fields: Record<string, string>, headers: HeadersInit = {}) {
  return fetch(`${s.url}/oauth/v1/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields),
  });
}

async function connect(s: Served) {
  const back = await authorize(s, "approve");
  assert.equal(back.searchParams.get("state"), "st");
  const response = await token(s, {
    grant_type: "authorization_code",
    client_id: "cid",
    client_secret: "csecret",
    redirect_uri: REDIRECT,
    code: back.searchParams.get("code")!,
  });
  assert.equal(response.status, 200);
  return await response.json();
}

Deno.test("HubSpot's official SDK pages through every contact, company and deal", async () => {
  const s = serve();
  try {
    const tokens = await connect(s);
    const client = new Client({ accessToken: tokens.access_token, basePath: s.url });
    const contacts = await client.crm.contacts.getAll(100);
    const companies = await client.crm.companies.getAll(100);
    const deals = await client.crm.deals.getAll(100);
    const ids = (list: { id: string }[]) => list.map((r) => r.id).sort();
    const live = (type: "contacts" | "companies" | "deals") =>
      s.control.data[type].filter((r) => !r.archived);
    assert.ok(live("contacts").length > 300);
    assert.deepEqual(ids(contacts), ids(live("contacts")));
    assert.deepEqual(ids(companies), ids(live("companies")));
    assert.deepEqual(ids(deals), ids(live("deals")));
    const archived = await client.crm.contacts.getAll(
      100,
      undefined,
      undefined,
      undefined,
      undefined,
      true,
    );
    assert.deepEqual(ids(archived), ids(s.control.data.contacts.filter((r) => r.archived)));
  } finally {
    await s.close();
  }
});

Deno.test("tokens: form-body credentials, single-use codes, stable refresh tokens, revocation", async () => {
  const s = serve();
  try {
    const tokens = await connect(s);
    assert.equal(tokens.token_type, "bearer");
    assert.equal(tokens.expires_in, 1800);
    assert.equal(tokens.hub_id, s.control.hubId);
    assert.match(tokens.refresh_token, /^na1-/);

    const back = await authorize(s, "approve");
    const code = back.searchParams.get("code")!;
    const basicOnly = await token(
      s,
      { grant_type: "authorization_code", redirect_uri: REDIRECT, code },
      { Authorization: `Basic ${btoa("cid:csecret")}` },
    );
    assert.equal(basicOnly.status, 400);
    assert.equal((await basicOnly.json()).error, "invalid_client");
    const reused = await token(s, {
      grant_type: "authorization_code",
      client_id: "cid",
      client_secret: "csecret",
      redirect_uri: REDIRECT,
      code: "never-issued",
    });
    const body = await reused.json();
    assert.equal(reused.status, 400);
    assert.equal(body.error, "invalid_grant");
    assert.equal(body.status, "BAD_AUTH_CODE");

    const refresh = (rt: string) =>
      token(s, {
        grant_type: "refresh_token",
        client_id: "cid",
        client_secret: "csecret",
        refresh_token: rt,
      });
    const refreshed = await (await refresh(tokens.refresh_token)).json();
    assert.equal(refreshed.refresh_token, tokens.refresh_token);
    assert.notEqual(refreshed.access_token, tokens.access_token);

    const meta = await (await fetch(`${s.url}/oauth/v1/access-tokens/${refreshed.access_token}`))
      .json();
    assert.equal(meta.hub_id, s.control.hubId);
    assert.equal(meta.token_type, "access");

    const deleted = await fetch(`${s.url}/oauth/v1/refresh-tokens/${tokens.refresh_token}`, {
      method: "DELETE",
    });
    assert.equal(deleted.status, 204);
    const dead = await refresh(tokens.refresh_token);
    assert.equal(dead.status, 400);
    assert.equal((await dead.json()).status, "BAD_REFRESH_TOKEN");
  } finally {
    await s.close();
  }
});

Deno.test("install refusals show an error page without redirecting; deny redirects with access_denied", async () => {
  const s = serve();
  try {
    const withoutOauth = new URLSearchParams({
      client_id: "cid",
      redirect_uri: REDIRECT,
      scope: "crm.objects.contacts.read",
    });
    const refused = await fetch(`${s.url}/oauth/authorize?${withoutOauth}`, { redirect: "manual" });
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /mismatch between the scopes/);
    const wrongRedirect = new URLSearchParams({
      client_id: "cid",
      redirect_uri: "http://evil.test/cb",
      scope: SCOPES,
    });
    const badRedirect = await fetch(`${s.url}/oauth/authorize?${wrongRedirect}`);
    assert.equal(badRedirect.status, 400);
    await badRedirect.body?.cancel();

    const denied = await authorize(s, "deny");
    assert.equal(denied.searchParams.get("error"), "access_denied");
    assert.equal(denied.searchParams.get("state"), "st");
    assert.equal(denied.searchParams.get("code"), null);
  } finally {
    await s.close();
  }
});

Deno.test("CRM lists: paging, limits, expired and missing tokens, scopes, the rolling limit", async () => {
  const s = serve({ rateLimit: { max: 3, intervalMs: 10_000 } });
  try {
    const tokens = await connect(s);
    const get = (path: string, accessToken = tokens.access_token) =>
      fetch(`${s.url}${path}`, { headers: { Authorization: `Bearer ${accessToken}` } });

    const first = await get("/crm/v3/objects/deals?limit=100");
    assert.equal(first.headers.get("x-hubspot-ratelimit-max"), "3");
    assert.ok(first.headers.get("x-hubspot-correlation-id"));
    const page = await first.json();
    assert.equal(page.results.length, s.control.data.deals.filter((r) => !r.archived).length);
    assert.equal(page.paging, undefined);
    for (const record of page.results) {
      assert.equal(typeof record.id, "string");
      for (const value of Object.values(record.properties)) {
        assert.ok(value === null || typeof value === "string");
      }
    }
    const small = await (await get("/crm/v3/objects/0-1?limit=2")).json();
    assert.equal(small.results.length, 2);
    assert.match(small.paging.next.link, /^\?after=/);

    const tooBig = await get("/crm/v3/objects/contacts?limit=101");
    assert.equal(tooBig.status, 400);
    assert.equal((await tooBig.json()).category, "VALIDATION_ERROR");

    const noToken = await get("/crm/v3/objects/contacts", "nope");
    assert.equal(noToken.status, 401);
    assert.equal((await noToken.json()).category, "INVALID_AUTHENTICATION");

    const limited = await get("/crm/v3/objects/contacts");
    assert.equal(limited.status, 429);
    const body = await limited.json();
    assert.equal(body.errorType, "RATE_LIMIT");
    assert.equal(body.policyName, "TEN_SECONDLY_ROLLING");
    assert.equal(limited.headers.get("retry-after"), null);
    assert.equal(s.control.counters.rateLimited, 1);

    s.control.expireAccessTokens();
    const expired = await get("/crm/v3/objects/contacts");
    assert.equal(expired.status, 401);
    assert.equal((await expired.json()).category, "EXPIRED_AUTHENTICATION");

    s.control.failNext("crm", { status: 502, body: { status: "error", message: "Bad gateway" } });
    assert.equal((await get("/crm/v3/objects/contacts")).status, 502);
  } finally {
    await s.close();
  }
});

Deno.test("a token without a scope gets HubSpot's MISSING_SCOPES answer", async () => {
  const s = serve({ requiredScopes: ["oauth"] });
  try {
    const back = await authorize(s, "approve", "oauth crm.objects.contacts.read");
    const tokens = await (await token(s, {
      grant_type: "authorization_code",
      client_id: "cid",
      client_secret: "csecret",
      redirect_uri: REDIRECT,
      code: back.searchParams.get("code")!,
    })).json();
    const deals = await fetch(`${s.url}/crm/v3/objects/deals`, {
      headers: { Authorization: `Bearer ${tokens.access_token}` },
    });
    assert.equal(deals.status, 403);
    assert.equal((await deals.json()).category, "MISSING_SCOPES");
  } finally {
    await s.close();
  }
});
