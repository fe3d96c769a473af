/**
 * GET and POST /oauth2/v1/authorize, as Airtable checks them: client_id, an exactly registered
 * redirect_uri, response_type=code, known unique scopes, a state and PKCE S256, all required.
 * A bad request gets Airtable's own error page and never goes back to the app.
 */
import { Hono } from "hono";
import { z } from "zod";
import { AirtableConsent } from "../../../views/sandbox/airtable_consent.tsx";
import { SandboxErrorPage } from "../../../views/sandbox/sandbox_page.tsx";
import { type AirtableState, KNOWN_SCOPES } from "./state.ts";
import { PARAM_CHARS } from "./tokens.ts";

const SCOPE_MEANINGS: Record<string, string> = {
  "data.records:read": "see the data in records",
  "data.records:write": "create, edit and delete records",
  "schema.bases:read": "see the structure of a base, like table names or field types",
  "schema.bases:write": "edit the structure of a base",
  "user.email:read": "see your email address",
};

const text = (name: string) => z.string({ error: `${name} is missing` }).max(2048);

const authorizeSchema = z.object({
  client_id: text("client_id").min(1, "client_id is missing"),
  redirect_uri: text("redirect_uri").min(1, "redirect_uri is missing"),
  response_type: z.literal("code", { error: "response_type must be code" }),
  scope: text("scope").min(1, "scope is missing"),
  state: z.string({ error: "state is missing" })
    .min(16, "state must be 16 to 1024 characters")
    .max(1024, "state must be 16 to 1024 characters")
    .regex(PARAM_CHARS, "state may only contain A-Z, a-z, 0-9, '.', '_' and '-'"),
  code_challenge: z.string({ error: "code_challenge is missing" })
    .regex(/^[A-Za-z0-9_-]{43}$/, "code_challenge must be a base64url SHA-256 digest"),
  code_challenge_method: z.literal("S256", { error: "code_challenge_method must be S256" }),
});
type AuthorizeRequest = z.infer<typeof authorizeSchema>;

type Checked = { request: AuthorizeRequest; scopes: string[] } | { error: string };

function check(state: AirtableState, input: Record<string, unknown>): Checked {
  const parsed = authorizeSchema.safeParse(input);
  if (!parsed.success) {
    return { error: `Invalid authorization request: ${parsed.error.issues[0].message}.` };
  }
  const r = parsed.data;
  if (r.client_id !== state.clientId) return { error: "Invalid client_id: no such integration." };
  if (!state.redirectUris.includes(r.redirect_uri) || !URL.canParse(r.redirect_uri)) {
    return { error: "Invalid redirect_uri: it does not match the integration's redirect URLs." };
  }
  const scopes = r.scope.split(" ");
  const unknown = scopes.find((s) => !KNOWN_SCOPES.includes(s));
  if (unknown !== undefined) {
    return { error: `Invalid scope: "${unknown.slice(0, 60)}" is not an Airtable scope.` };
  }
  if (new Set(scopes).size !== scopes.length) return { error: "Invalid scope: listed twice." };
  return { request: r, scopes };
}

const errorPage = (message: string) => <SandboxErrorPage provider="Airtable" message={message} />;

export function airtableAuthorize(state: AirtableState): Hono {
  const app = new Hono();

  app.get("/oauth2/v1/authorize", (c) => {
    const checked = check(state, c.req.query());
    if ("error" in checked) return c.html(errorPage(checked.error), 400);
    return c.html(
      <AirtableConsent
        action={c.req.path}
        userEmail={state.user.email}
        scopes={checked.scopes.map((name) => ({ name, meaning: SCOPE_MEANINGS[name] ?? "" }))}
        bases={state.bases.map((b) => b.name)}
        fields={checked.request}
      />,
    );
  });

  app.post("/oauth2/v1/authorize", async (c) => {
    const form = await c.req.parseBody().catch(() => null);
    const fields: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(form ?? {})) {
      if (typeof value === "string") fields[name] = value;
    }
    const checked = check(state, fields);
    if ("error" in checked) return c.html(errorPage(checked.error), 400);
    const decision = z.enum(["approve", "deny"]).safeParse(fields.decision);
    if (!decision.success) return c.html(errorPage("Choose Approve or Deny."), 400);
    const r = checked.request;
    const target = new URL(r.redirect_uri);
    if (decision.data === "deny") {
      target.searchParams.set("error", "access_denied");
      target.searchParams.set("error_description", "The user denied the authorization request.");
    } else {
      const code = await state.oauth.issueCode({
        clientId: r.client_id,
        redirectUri: r.redirect_uri,
        challenge: r.code_challenge,
        scopes: checked.scopes,
      });
      target.searchParams.set("code", code);
    }
    target.searchParams.set("state", r.state);
    return c.redirect(target.toString(), 302);
  });

  return app;
}
