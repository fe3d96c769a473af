/** The Notion sandbox's OAuth, checked against the documented rules over real HTTP. */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { formFields } from "../../testing/browser.ts";
import { createNotionSandbox } from "./sandbox.ts";
import {
  authorize,
  BASIC,
  CLIENT_ID,
  CLIENT_SECRET,
  connect,
  REDIRECT,
  searchRequest,
  serve,
  tokenRequest,
} from "../../testing/sandboxes/notion.ts";

const codeExchange = (code: string, extra: Record<string, string> = {}) => ({
  grant_type: "authorization_code",
  code,
  redirect_uri: REDIRECT,
  ...extra,
});

Deno.test("the consent page names the sandbox, the workspace and the shared pages", async () => {
  const s = serve();
  try {
    const query = new URLSearchParams({
      client_id: CLIENT_ID,
      response_type: "code",
      owner: "user",
      redirect_uri: REDIRECT,
      state: "abc",
    });
    const page = await fetch(`${s.url}/v1/oauth/authorize?${query}`);
    const html = await page.text();
    assert.equal(page.status, 200);
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /Notion sandbox/);
    assert.match(html, /Acme Sandbox/);
    assert.match(html, /Company Home/);
    assert.match(html, /name="decision" value="approve"/);
    assert.match(html, /name="decision" value="deny"/);
  } finally {
    await s.close();
  }
});

Deno.test("a bad client or redirect_uri gets Notion's error page and no redirect", async () => {
  const s = serve({ redirectUris: [REDIRECT, "http://other.test/cb"] });
  try {
    const base = { client_id: CLIENT_ID, response_type: "code", owner: "user", state: "x" };
    for (
      const query of [
        { ...base, redirect_uri: "http://evil.test/cb" },
        { ...base, redirect_uri: `${REDIRECT}/` },
        { ...base, client_id: "someone-else", redirect_uri: REDIRECT },
        base, // left out while several are registered
      ]
    ) {
      const page = await fetch(`${s.url}/v1/oauth/authorize?${new URLSearchParams(query)}`, {
        redirect: "manual",
      });
      assert.equal(page.status, 400);
      assert.equal(page.headers.get("location"), null);
      assert.match(await page.text(), /Missing or invalid redirect_uri/);
    }
    const forged = await fetch(`${s.url}/v1/oauth/authorize`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        ...base,
        redirect_uri: "http://evil.test/cb",
        decision: "approve",
      }),
      redirect: "manual",
    });
    assert.equal(forged.status, 400);
    assert.equal(forged.headers.get("location"), null);
  } finally {
    await s.close();
  }
});

Deno.test("deny sends access_denied and the state back", async () => {
  const s = serve();
  try {
    const back = await authorize(s, "deny", { state: "keep-me" });
    assert.equal(`${back.origin}${back.pathname}`, REDIRECT);
    assert.equal(back.searchParams.get("error"), "access_denied");
    assert.equal(back.searchParams.get("state"), "keep-me");
    assert.equal(back.searchParams.get("code"), null);
  } finally {
    await s.close();
  }
});

Deno.test("token: Basic is required, JSON or form bodies, Notion's answer without expires_in", async () => {
  const s = serve();
  try {
    const back = await authorize(s, "approve");
    assert.equal(back.searchParams.get("state"), "st-1");
    const code = back.searchParams.get("code")!;
    const inBody = await tokenRequest(
      s,
      codeExchange(code, { client_id: CLIENT_ID, client_secret: CLIENT_SECRET }),
      { Authorization: "" },
    );
    assert.equal(inBody.status, 401);
    const refusal = await inBody.json();
    assert.equal(refusal.object, "error");
    assert.equal(refusal.code, "invalid_client");
    const wrong = await tokenRequest(s, codeExchange(code), {
      Authorization: `Basic ${btoa(`${CLIENT_ID}:nope`)}`,
    });
    assert.equal(wrong.status, 401);
    const noVersion = await tokenRequest(s, codeExchange(code), { "Notion-Version": "" });
    assert.equal(noVersion.status, 400);

    const answer = await tokenRequest(s, codeExchange(code));
    assert.equal(answer.status, 200);
    const tokens = await answer.json();
    assert.equal(tokens.token_type, "bearer");
    assert.match(tokens.access_token, /^ntn_/);
    assert.equal(typeof tokens.refresh_token, "string");
    assert.equal("expires_in" in tokens, false);
    assert.equal(tokens.workspace_id, s.control.data.workspace.id);
    assert.equal(tokens.workspace_name, "Acme Sandbox");
    assert.equal(tokens.owner.type, "user");
    assert.equal(tokens.owner.user.object, "user");
    assert.equal(tokens.duplicated_template_id, null);
    assert.equal(typeof tokens.bot_id, "string");
    assert.equal(typeof tokens.request_id, "string");

    const formBack = await authorize(s, "approve");
    const form = await fetch(`${s.url}/v1/oauth/token`, {
      method: "POST",
      headers: {
        Authorization: BASIC,
        "Content-Type": "application/x-www-form-urlencoded",
        "Notion-Version": "2022-06-28",
      },
      body: new URLSearchParams(codeExchange(formBack.searchParams.get("code")!)),
    });
    assert.equal(form.status, 200);
  } finally {
    await s.close();
  }
});

// Single use, the ten minutes and rotation as every sandbox has them: ../oauth_suite_test.ts.
Deno.test("codes keep the redirect_uri rule: given in the authorization URL, then in the exchange", async () => {
  const s = serve();
  try {
    const missing = (await authorize(s, "approve")).searchParams.get("code")!;
    const withoutUri = await tokenRequest(s, { grant_type: "authorization_code", code: missing });
    assert.equal(withoutUri.status, 400);
    const other = (await authorize(s, "approve")).searchParams.get("code")!;
    const mismatch = await tokenRequest(s, codeExchange(other, { redirect_uri: "http://x.test/" }));
    assert.equal((await mismatch.json()).code, "invalid_grant");

    // Left out of the authorization URL (one URI registered): then it must stay out.
    const implicit = await authorize(s, "approve", { redirect_uri: "" });
    assert.equal(`${implicit.origin}${implicit.pathname}`, REDIRECT);
    const implicitCode = implicit.searchParams.get("code")!;
    const forbidden = await tokenRequest(s, codeExchange(implicitCode));
    assert.equal(forbidden.status, 400);
    const second = (await authorize(s, "approve", { redirect_uri: "" })).searchParams.get("code")!;
    assert.equal(
      (await tokenRequest(s, { grant_type: "authorization_code", code: second })).status,
      200,
    );
  } finally {
    await s.close();
  }
});

Deno.test("a refresh answers the same bot without expires_in; reuse gets Notion's envelope", async () => {
  const s = serve();
  try {
    const first = await connect(s);
    const refresh = (token: unknown) =>
      tokenRequest(s, { grant_type: "refresh_token", refresh_token: String(token) });
    const second = await (await refresh(first.refresh_token)).json();
    assert.notEqual(second.access_token, first.access_token);
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.equal(second.bot_id, first.bot_id);
    assert.equal("expires_in" in second, false);

    const reuse = await refresh(first.refresh_token);
    assert.equal(reuse.status, 400);
    const body = await reuse.json();
    assert.deepEqual(Object.keys(body).sort(), [
      "code",
      "message",
      "object",
      "request_id",
      "status",
    ]);
    assert.equal(body.code, "invalid_grant");
    assert.equal(body.status, 400);

    const old = await searchRequest(s, String(first.access_token), {});
    assert.equal(old.status, 401);
    await old.body?.cancel();
    assert.equal(s.control.counters.rotatedAccessTokenUses, 1);
  } finally {
    await s.close();
  }
});

Deno.test("legacy mode: no refresh token, tokens that do not expire, the older answer", async () => {
  let now = Date.UTC(2026, 0, 1);
  const s = serve({ issueRefreshTokens: false, clock: () => now });
  try {
    const tokens = await connect(s);
    assert.equal("refresh_token" in tokens, false);
    assert.equal("token_type" in tokens, false);
    now += 400 * 24 * 3600 * 1000;
    assert.equal((await searchRequest(s, String(tokens.access_token), {})).status, 200);
    const refresh = await tokenRequest(s, { grant_type: "refresh_token", refresh_token: "x" });
    assert.equal((await refresh.json()).code, "invalid_grant");
  } finally {
    await s.close();
  }
});

Deno.test("token endpoint faults can be injected; bad bodies are 400s, never 500s", async () => {
  const s = serve();
  try {
    s.control.failNext("token", { status: 500 });
    const failed = await tokenRequest(s, { grant_type: "refresh_token", refresh_token: "x" });
    assert.equal(failed.status, 500);
    assert.equal((await failed.json()).code, "internal_server_error");
    for (
      const body of ["{", "[1]", '{"grant_type":"password"}', '{"grant_type":"authorization_code"}']
    ) {
      const response = await fetch(`${s.url}/v1/oauth/token`, {
        method: "POST",
        headers: {
          Authorization: BASIC,
          "Content-Type": "application/json",
          "Notion-Version": "2022-06-28",
        },
        body,
      });
      assert.equal(response.status, 400, body);
      assert.equal((await response.json()).object, "error");
    }
  } finally {
    await s.close();
  }
});

Deno.test("mounted under /sandbox/notion, the consent form posts back to the mounted path", async () => {
  const { app: sandbox } = createNotionSandbox({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [REDIRECT],
  });
  const hub = new Hono().route("/sandbox/notion", sandbox);
  const query = new URLSearchParams({
    client_id: CLIENT_ID,
    response_type: "code",
    owner: "user",
    redirect_uri: REDIRECT,
    state: "s",
  });
  const page = await hub.request(`/sandbox/notion/v1/oauth/authorize?${query}`);
  const form = formFields(await page.text());
  assert.equal(form.action, "/sandbox/notion/v1/oauth/authorize");
  const posted = await hub.request(form.action!, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ ...form.fields, decision: "approve" }),
  });
  assert.equal(posted.status, 302);
  assert.ok(posted.headers.get("location")!.startsWith(`${REDIRECT}?code=`));
});
