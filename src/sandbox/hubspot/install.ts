/**
 * What HubSpot checks on its install (authorize) page before it shows the consent screen. A
 * refusal is shown as HubSpot's own error page; it never sends the user back to the app.
 */
import { z } from "zod";
import type { SandboxApp } from "./state.ts";

/** Scopes the sandbox knows. Each may be Required (the app's `requiredScopes`) or requested in
 * `scope` / `optional_scope` as a conditionally required or optional scope. */
export const KNOWN_SCOPES: readonly string[] = [
  "oauth",
  "crm.objects.contacts.read",
  "crm.objects.contacts.write",
  "crm.objects.companies.read",
  "crm.objects.companies.write",
  "crm.objects.deals.read",
  "crm.objects.deals.write",
  "crm.schemas.contacts.read",
  "crm.schemas.companies.read",
  "crm.schemas.deals.read",
  "crm.objects.owners.read",
];

export const installSchema = z.object({
  client_id: z.string().optional(),
  redirect_uri: z.string().optional(),
  scope: z.string().optional(),
  optional_scope: z.string().optional(),
  state: z.string().optional(),
});
export type InstallRequest = z.infer<typeof installSchema>;

export type InstallCheck =
  | { ok: true; clientId: string; redirectUri: string; scopes: string[]; optionalScopes: string[] }
  | { ok: false; message: string };

/** Space-separated (a `+` in a query string is a space too); duplicates dropped. */
export function splitScopes(value: string | undefined): string[] {
  return [...new Set((value ?? "").split(/[\s+]+/).filter((s) => s !== ""))];
}

export const MESSAGES = {
  badClient: "Invalid client_id: there is no app with this client id.",
  badRedirect: "The redirect_uri doesn't match the client registered redirect_uri.",
  unknownScopes: "Authorization failed because the install URL asks for scopes that don't exist:",
  scopeMismatch:
    "Authorization failed because there is a mismatch between the scopes in the install URL and the app's configured scopes.",
} as const;

export function checkInstall(app: SandboxApp, request: InstallRequest): InstallCheck {
  const clientId = request.client_id ?? "";
  const redirectUri = request.redirect_uri ?? "";
  if (clientId !== app.clientId) return { ok: false, message: MESSAGES.badClient };
  // Exact string match: no trailing-slash, case or query-string leniency.
  if (!app.redirectUris.includes(redirectUri)) return { ok: false, message: MESSAGES.badRedirect };
  const scopes = splitScopes(request.scope);
  const optionalScopes = splitScopes(request.optional_scope).filter((s) => !scopes.includes(s));
  const known = new Set([...KNOWN_SCOPES, ...app.requiredScopes]);
  const unknown = [...scopes, ...optionalScopes].filter((s) => !known.has(s));
  if (unknown.length > 0) {
    return { ok: false, message: `${MESSAGES.unknownScopes} ${unknown.join(", ")}.` };
  }
  // `oauth` and every Required scope must be in `scope`; in `optional_scope` they do not count.
  const required = new Set(["oauth", ...app.requiredScopes]);
  if ([...required].some((s) => !scopes.includes(s))) {
    return { ok: false, message: MESSAGES.scopeMismatch };
  }
  return { ok: true, clientId, redirectUri, scopes, optionalScopes };
}

/** The sandbox account has every product, so optional scopes are granted too. */
export function grantedScopes(check: { scopes: string[]; optionalScopes: string[] }): string[] {
  return [...check.scopes, ...check.optionalScopes];
}
