/**
 * HubSpot's install page, emulated: `GET /oauth/authorize` checks the install URL and shows the
 * consent screen; its form posts back to the same path with the user's decision.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { HubspotConsent } from "../../../views/sandbox/hubspot_consent.tsx";
import { SandboxErrorPage } from "../../../views/sandbox/sandbox_page.tsx";
import { checkInstall, grantedScopes, installSchema } from "./install.ts";
import type { HubspotState } from "./state.ts";

const decisionSchema = installSchema.extend({ decision: z.enum(["approve", "deny"]) });

/** HubSpot's own error page: the user stays on HubSpot, nothing goes back to the app. */
function refuse(c: Context, message: string): Response | Promise<Response> {
  return c.html(<SandboxErrorPage provider="HubSpot" message={message} />, 400);
}

/** The redirect URL with parameters added (it was matched exactly against a registered URL). */
function withParams(base: string, params: Record<string, string | undefined>): string {
  const url = new URL(base);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  return url.toString();
}

export function hubspotAuthorize(state: HubspotState): Hono {
  const app = new Hono();

  app.get("/oauth/authorize", (c) => {
    const request = installSchema.safeParse(c.req.query());
    if (!request.success) return refuse(c, "The install URL could not be read.");
    const check = checkInstall(state.app, request.data);
    if (!check.ok) return refuse(c, check.message);
    const fields: Record<string, string> = {
      client_id: check.clientId,
      redirect_uri: check.redirectUri,
      scope: request.data.scope ?? "",
    };
    if (request.data.optional_scope !== undefined) {
      fields.optional_scope = request.data.optional_scope;
    }
    if (request.data.state !== undefined) fields.state = request.data.state;
    return c.html(
      <HubspotConsent
        action={c.req.path}
        hubId={state.account.hubId}
        scopes={check.scopes}
        optionalScopes={check.optionalScopes}
        fields={fields}
      />,
    );
  });

  app.post("/oauth/authorize", async (c) => {
    const form = await c.req.parseBody().catch(() => ({}));
    const posted = decisionSchema.safeParse(form);
    if (!posted.success) return refuse(c, "The install request was incomplete; start again.");
    // The form is user input: everything is checked again, as on the first visit.
    const check = checkInstall(state.app, posted.data);
    if (!check.ok) return refuse(c, check.message);
    if (!URL.canParse(check.redirectUri)) {
      return refuse(c, "The app's registered redirect URL is not a valid URL.");
    }
    const params: Record<string, string | undefined> = posted.data.decision === "approve"
      ? {
        code: await state.oauth.issueCode({
          clientId: check.clientId,
          redirectUri: check.redirectUri,
          scopes: grantedScopes(check),
          challenge: null,
        }),
      }
      : { error: "access_denied", error_description: "The user denied the authorization request." };
    return c.redirect(withParams(check.redirectUri, { ...params, state: posted.data.state }), 302);
  });

  return app;
}
