/** HubSpot's install page and consent form over real HTTP: Deny, refusals, scopes, tampering. */
import assert from "node:assert/strict";
import {
  call,
  CLIENT_ID,
  consentForm,
  install,
  postForm,
  REDIRECT,
  SCOPES,
  withSandbox,
} from "../../testing/sandboxes/hubspot.ts";

Deno.test("Deny sends the user back with access_denied and the state, and no code", async () => {
  await withSandbox(async (s) => {
    const state = 'x"<&=é +%20';
    const back = await install(s, "deny", { state });
    assert.equal(back.origin + back.pathname, REDIRECT);
    assert.equal(back.searchParams.get("error"), "access_denied");
    assert.ok(back.searchParams.get("error_description"));
    assert.equal(back.searchParams.get("state"), state);
    assert.equal(back.searchParams.get("code"), null);
  });
});

Deno.test("the install page refuses bad install URLs with an error page and no redirect", async () => {
  await withSandbox(async (s) => {
    const base = { client_id: CLIENT_ID, redirect_uri: REDIRECT, scope: SCOPES.join(" ") };
    const cases: [Record<string, string>, RegExp][] = [
      [{ scope: SCOPES.slice(1).join(" ") }, /mismatch between the scopes/],
      [
        { scope: "oauth", optional_scope: SCOPES.slice(1).join(" ") },
        /mismatch between the scopes/,
      ],
      [{ client_id: "someone-else" }, /Invalid client_id/],
      [{ redirect_uri: `${REDIRECT}/` }, /redirect_uri doesn(&#39;|')t match/],
      [{ redirect_uri: REDIRECT.toUpperCase() }, /redirect_uri doesn(&#39;|')t match/],
      [{ scope: `${SCOPES.join(" ")} crm.objects.unicorns.read` }, /crm\.objects\.unicorns\.read/],
      [{ optional_scope: "contacts" }, /scopes that don(&#39;|')t exist: contacts/],
    ];
    for (const [change, message] of cases) {
      const page = await call(
        `${s.base}/oauth/authorize?${new URLSearchParams({ ...base, ...change })}`,
      );
      assert.equal(page.status, 400, JSON.stringify(change));
      assert.equal(page.headers.get("location"), null);
      assert.match(page.headers.get("content-type") ?? "", /text\/html/);
      assert.match(page.text, message, JSON.stringify(change));
      assert.match(page.text, /HubSpot sandbox/);
    }
    const missing = await call(`${s.base}/oauth/authorize`);
    assert.equal(missing.status, 400);
  });
});

Deno.test("scopes may be joined by + or %20, and the consent page shows the account and scopes", async () => {
  await withSandbox(async (s) => {
    for (const joined of [SCOPES.join("+"), SCOPES.map(encodeURIComponent).join("%20")]) {
      const page = await call(
        `${s.base}/oauth/authorize?client_id=${CLIENT_ID}&redirect_uri=${
          encodeURIComponent(REDIRECT)
        }&scope=${joined}&optional_scope=crm.objects.owners.read`,
      );
      assert.equal(page.status, 200);
      assert.match(page.text, /HubSpot sandbox/);
      assert.match(page.text, new RegExp(`Sandbox Portal ${s.control.hubId}`));
      for (const scope of [...SCOPES, "crm.objects.owners.read"]) {
        assert.ok(page.text.includes(scope));
      }
      const form = consentForm(page.text);
      assert.equal(form.action, "/oauth/authorize");
      assert.equal(form.fields.optional_scope, "crm.objects.owners.read");
      assert.equal(form.fields.redirect_uri, REDIRECT);
    }
  });
});

Deno.test("the consent form is user input: tampered or incomplete posts are refused without a redirect", async () => {
  await withSandbox(async (s) => {
    const fields = {
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT,
      scope: SCOPES.join(" "),
      decision: "approve",
    };
    const tampered: Record<string, string>[] = [
      { ...fields, redirect_uri: "https://evil.example/steal" },
      { ...fields, scope: "crm.objects.deals.read" },
      { ...fields, client_id: "other" },
      { ...fields, decision: "maybe" },
      { client_id: CLIENT_ID },
    ];
    for (const form of tampered) {
      const answer = await postForm(`${s.base}/oauth/authorize`, form);
      assert.equal(answer.status, 400, JSON.stringify(form));
      assert.equal(answer.headers.get("location"), null);
    }
    const multipart = new FormData();
    multipart.append("client_id", new Blob(["x"]), "file.txt");
    const file = await call(`${s.base}/oauth/authorize`, { method: "POST", body: multipart });
    assert.equal(file.status, 400);
    assert.equal(s.control.counters.tokenCalls.authorization_code, 0);
  });
});
