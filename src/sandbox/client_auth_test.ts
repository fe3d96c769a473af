import assert from "node:assert/strict";
import { clientAuthFailure, type ClientAuthRequest } from "./client_auth.ts";

const app = { clientId: "id", clientSecret: "secret" };
const publicApp = { clientId: "id", clientSecret: "" };
const basic = (id: string, secret: string) => `Basic ${btoa(`${id}:${secret}`)}`;
const request = (fields: Partial<ClientAuthRequest>): ClientAuthRequest => ({
  authorization: undefined,
  clientId: null,
  clientSecret: null,
  ...fields,
});

Deno.test("body style: credentials in the form, Basic ignored", () => {
  const good = request({ clientId: "id", clientSecret: "secret" });
  assert.equal(clientAuthFailure("body", app, good), null);
  const basicOnly = request({ authorization: basic("id", "secret") });
  assert.equal(clientAuthFailure("body", app, basicOnly), "unknown_client");
  assert.equal(clientAuthFailure("body", app, { ...good, clientSecret: "no" }), "bad_secret");
});

Deno.test("basic style: Basic required and matched; a body client_id must agree", () => {
  const good = request({ authorization: basic("id", "secret") });
  assert.equal(clientAuthFailure("basic", app, good), null);
  assert.equal(clientAuthFailure("basic", app, { ...good, clientId: "id" }), null);
  assert.equal(clientAuthFailure("basic", app, { ...good, clientId: "other" }), "client_mismatch");
  const inBody = request({ clientId: "id", clientSecret: "secret" });
  assert.equal(clientAuthFailure("basic", app, inBody), "basic_required");
  const wrong = request({ authorization: basic("id", "nope") });
  assert.equal(clientAuthFailure("basic", app, wrong), "bad_credentials");
  assert.equal(
    clientAuthFailure("basic", app, request({ authorization: "Basic %%" })),
    "basic_required",
  );
});

Deno.test("basic style, public client: no Basic, client_id in the body", () => {
  assert.equal(clientAuthFailure("basic", publicApp, request({ clientId: "id" })), null);
  const withBasic = request({ authorization: basic("id", ""), clientId: "id" });
  assert.equal(clientAuthFailure("basic", publicApp, withBasic), "basic_forbidden");
  assert.equal(clientAuthFailure("basic", publicApp, request({})), "unknown_client");
});
