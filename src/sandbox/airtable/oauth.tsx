/** Airtable's OAuth endpoints, emulated: PKCE always, Basic client auth, rotating refresh tokens. */
import { type Context, Hono } from "hono";
import { z } from "zod";
import {
  ConsentButtons,
  SandboxErrorPage,
  SandboxPage,
} from "../../../views/sandbox/sandbox_page.tsx";
import { randomToken } from "../hubspot/state.ts";
import type { AirtableState, Grant } from "./state.ts";

const CODE_TTL_MS = 10 * 60 * 1000;
const KNOWN_SCOPES = [
  "data.records:read",
  "data.records:write",
  "schema.bases:read",
  "schema.bases:write",
  "user.email:read",
];
const PARAM = /^[A-Za-z0-9._-]+$/;

const authorizeSchema = z.object({
  client_id: z.string().min(1),
  redirect_uri: z.string().min(1),
  response_type: z.literal("code"),
  scope: z.string().min(1),
  state: z.string().min(16).max(1024).regex(PARAM),
  code_challenge: z.string().min(43).max(128),
  code_challenge_method: z.literal("S256"),
});
type AuthorizeRequest = z.infer<typeof authorizeSchema>;

async function s256(verifier: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)),
  );
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function refusal(state: AirtableState, r: AuthorizeRequest): string | null {
  if (r.client_id !== state.clientId) return "Invalid client_id.";
  if (!state.redirectUris.includes(r.redirect_uri)) return "Invalid redirect_uri.";
  const scopes = r.scope.split(" ");
  if (scopes.some((s) => !KNOWN_SCOPES.includes(s)) || new Set(scopes).size !== scopes.length) {
    return "Invalid scope.";
  }
  return null;
}

function tokenError(c: Context, status: 400 | 401, error: string, description: string) {
  return c.json({ error, error_description: description }, status);
}

export function airtableOAuth(state: AirtableState): Hono {
  const app = new Hono();

  const validated = (input: unknown) => {
    const parsed = authorizeSchema.safeParse(input);
    if (!parsed.success) {
      const field = parsed.error.issues[0].path.join(".");
      return { error: `Invalid authorization request: ${field} is missing or invalid.` };
    }
    const message = refusal(state, parsed.data);
    return message === null ? { request: parsed.data } : { error: message };
  };

  app.get("/oauth2/v1/authorize", (c) => {
    const result = validated(c.req.query());
    if ("error" in result) {
      return c.html(<SandboxErrorPage provider="Airtable" message={result.error!} />, 400);
    }
    const r = result.request;
    return c.html(
      <SandboxPage provider="Airtable" title="Grant access">
        <section class="message">
          <h1>Grant the Integrations hub access to Airtable</h1>
          <p>It asks for: {r.scope.split(" ").join(", ")}</p>
          <p>Bases it will see:</p>
          <ul>
            {state.bases.map((base) => <li>{base.name}</li>)}
          </ul>
          <ConsentButtons action={c.req.path} fields={r} />
        </section>
      </SandboxPage>,
    );
  });

  app.post("/oauth2/v1/authorize", async (c) => {
    const form = await c.req.parseBody().catch(() => ({}));
    const result = validated(form);
    const decision = z.enum(["approve", "deny"]).safeParse(
      (form as Record<string, unknown>).decision,
    );
    if ("error" in result || !decision.success) {
      return c.html(
        <SandboxErrorPage
          provider="Airtable"
          message={"error" in result ? result.error! : "No decision."}
        />,
        400,
      );
    }
    const r = result.request;
    const target = new URL(r.redirect_uri);
    if (decision.data === "deny") {
      target.searchParams.set("error", "access_denied");
      target.searchParams.set("error_description", "The user denied access.");
    } else {
      const code = randomToken("", 24);
      state.codes.set(code, {
        redirectUri: r.redirect_uri,
        challenge: r.code_challenge,
        scope: r.scope,
        expiresAt: state.clock() + CODE_TTL_MS,
      });
      target.searchParams.set("code", code);
    }
    target.searchParams.set("state", r.state);
    return c.redirect(target.toString(), 302);
  });

  app.post("/oauth2/v1/token", async (c) => {
    if (!(c.req.header("content-type") ?? "").startsWith("application/x-www-form-urlencoded")) {
      return tokenError(
        c,
        400,
        "invalid_request",
        "Content-Type must be application/x-www-form-urlencoded.",
      );
    }
    const form = new URLSearchParams(await c.req.text());
    const grantType = form.get("grant_type");
    state.counters.tokenCalls++;
    const fault = state.faults.token.shift();
    if (fault) return c.json(fault.body as object, fault.status as 400, fault.headers);
    const basic = /^Basic (.+)$/.exec(c.req.header("Authorization") ?? "")?.[1];
    const [id, secret] = basic ? atob(basic).split(":") : [undefined, undefined];
    if (id !== state.clientId || secret !== state.clientSecret) {
      return tokenError(
        c,
        401,
        "invalid_client",
        "Client authentication failed (HTTP Basic is required).",
      );
    }
    if (form.has("client_id") && form.get("client_id") !== id) {
      return tokenError(
        c,
        401,
        "invalid_client",
        "client_id does not match the Basic credentials.",
      );
    }
    if (grantType === "authorization_code") {
      const code = form.get("code") ?? "";
      const pending = state.codes.get(code);
      // A code is single-use even when the exchange fails.
      state.codes.delete(code);
      if (!pending || pending.expiresAt <= state.clock()) {
        return tokenError(c, 400, "invalid_grant", "The authorization code is invalid or expired.");
      }
      if (pending.redirectUri !== form.get("redirect_uri")) {
        return tokenError(c, 400, "invalid_grant", "redirect_uri does not match.");
      }
      const verifier = form.get("code_verifier") ?? "";
      if (verifier.length < 43 || verifier.length > 128 || !PARAM.test(verifier)) {
        return tokenError(c, 400, "invalid_request", "code_verifier must be 43-128 characters.");
      }
      if ((await s256(verifier)) !== pending.challenge) {
        return tokenError(
          c,
          400,
          "invalid_grant",
          "code_verifier does not match the code_challenge.",
        );
      }
      return c.json(issue(state, { scope: pending.scope, alive: true }));
    }
    if (grantType === "refresh_token") {
      const old = state.refreshTokens.get(form.get("refresh_token") ?? "");
      if (!old || !old.alive) {
        state.counters.reusedRefreshTokens += old ? 1 : 0;
        return tokenError(c, 400, "invalid_grant", "Token has been expired or revoked.");
      }
      // Rotation: the old refresh token and every access token of the grant die.
      old.alive = false;
      state.counters.refreshes++;
      return c.json(issue(state, { scope: old.scope, alive: true }));
    }
    return tokenError(c, 400, "unsupported_grant_type", "Unsupported grant_type.");
  });

  return app;
}

function issue(state: AirtableState, grant: Grant) {
  const accessToken = randomToken("pat", 32);
  const refreshToken = randomToken("rft", 32);
  state.refreshTokens.set(refreshToken, grant);
  state.accessTokens.set(accessToken, {
    grant,
    expiresAt: state.clock() + state.accessTokenTtlSeconds * 1000,
  });
  return {
    access_token: accessToken,
    refresh_token: refreshToken,
    token_type: "Bearer",
    scope: grant.scope,
    expires_in: state.accessTokenTtlSeconds,
    refresh_expires_in: 5_184_000,
  };
}
