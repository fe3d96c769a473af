/** The sandbox's authorize endpoint over real HTTP: Airtable's parameter rules and the deny path. */
import assert from "node:assert/strict";
import { formFields } from "../../testing/browser.ts";
import {
  authorize,
  authorizeQuery,
  REDIRECT,
  serve,
  type Served,
  STATE,
} from "../../testing/sandboxes/airtable.ts";

async function consent(s: Served, overrides: Record<string, string> = {}) {
  const response = await fetch(`${s.url}/oauth2/v1/authorize?${await authorizeQuery(overrides)}`, {
    redirect: "manual",
  });
  return {
    status: response.status,
    location: response.headers.get("location"),
    html: await response.text(),
  };
}

Deno.test("the consent page says Airtable sandbox and lists the scopes and every base, escaped", async () => {
  const s = serve();
  try {
    const page = await consent(s);
    assert.equal(page.status, 200);
    assert.match(page.html, /^<!DOCTYPE html>/);
    assert.match(page.html, /Airtable sandbox/);
    assert.match(page.html, /data\.records:read/);
    assert.match(page.html, /schema\.bases:read/);
    assert.match(page.html, /Product Roadmap 🚀/);
    assert.match(page.html, /Hiring &lt;2025&gt; &amp; &quot;friends&quot;/);
    assert.doesNotMatch(page.html, /<2025>/);
    const form = formFields(page.html);
    assert.equal(form.action, "/oauth2/v1/authorize");
    assert.equal(form.fields.state, STATE);
    assert.equal(form.fields.code_challenge_method, "S256");
    assert.equal(form.fields.redirect_uri, REDIRECT);
  } finally {
    await s.close();
  }
});

Deno.test("state is required: 16 to 1024 characters of A-Z a-z 0-9 . _ -", async () => {
  const s = serve();
  try {
    const refused = [
      "",
      "x".repeat(15),
      "y".repeat(1025),
      "padded-base64url==",
      "tilde~is-not-allowed",
      "has space in it ok",
    ];
    for (const state of refused) {
      const page = await consent(s, { state });
      assert.equal(page.status, 400, `state ${JSON.stringify(state)}`);
      assert.equal(page.location, null, "an error page never redirects");
      assert.match(page.html, /Authorization failed/);
      assert.match(page.html, /state/);
    }
    for (const state of ["a".repeat(16), "Z._-9".repeat(204) + "abcd"]) {
      assert.equal((await consent(s, { state })).status, 200);
    }
  } finally {
    await s.close();
  }
});

Deno.test("PKCE S256, client, exact redirect URI, response_type and known unique scopes are required", async () => {
  const s = serve();
  try {
    const refused: Record<string, string>[] = [
      { code_challenge: "" },
      { code_challenge_method: "" },
      { code_challenge_method: "plain" },
      { code_challenge: "too-short" },
      { client_id: "someone-else" },
      { client_id: "" },
      { redirect_uri: `${REDIRECT}/` },
      { redirect_uri: REDIRECT.toUpperCase() },
      { redirect_uri: "" },
      { response_type: "token" },
      { response_type: "" },
      { scope: "" },
      { scope: "data.records:read data.everything:read" },
      { scope: "data.records:read data.records:read" },
    ];
    for (const overrides of refused) {
      const page = await consent(s, overrides);
      assert.equal(page.status, 400, JSON.stringify(overrides));
      assert.equal(page.location, null);
    }
  } finally {
    await s.close();
  }
});

Deno.test("the POST re-checks the request: tampered fields or no decision get the error page", async () => {
  const s = serve();
  try {
    const form = formFields((await consent(s)).html);
    const post = (fields: Record<string, string>) =>
      fetch(`${s.url}/oauth2/v1/authorize`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields),
        redirect: "manual",
      });
    for (
      const fields of [
        { ...form.fields, decision: "approve", redirect_uri: "http://evil.test/cb" },
        { ...form.fields, decision: "approve", code_challenge_method: "plain" },
        { ...form.fields, decision: "maybe" },
        form.fields,
      ]
    ) {
      const response = await post(fields);
      assert.equal(response.status, 400);
      assert.equal(response.headers.get("location"), null);
      await response.body?.cancel();
    }
    const garbage = await fetch(`${s.url}/oauth2/v1/authorize`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{not json",
    });
    assert.equal(garbage.status, 400);
    await garbage.body?.cancel();
  } finally {
    await s.close();
  }
});

Deno.test("approve sends code and state back; deny sends access_denied with the state and no code", async () => {
  const s = serve();
  try {
    const approved = await authorize(s, "approve");
    assert.equal(`${approved.origin}${approved.pathname}`, REDIRECT);
    assert.match(approved.searchParams.get("code") ?? "", /^[A-Za-z0-9]{40}$/);
    assert.equal(approved.searchParams.get("state"), STATE);

    const denied = await authorize(s, "deny");
    assert.equal(`${denied.origin}${denied.pathname}`, REDIRECT);
    assert.equal(denied.searchParams.get("error"), "access_denied");
    assert.ok(denied.searchParams.get("error_description"));
    assert.equal(denied.searchParams.get("state"), STATE);
    assert.equal(denied.searchParams.get("code"), null);
  } finally {
    await s.close();
  }
});
