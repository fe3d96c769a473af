/** Serves the Notion sandbox over real HTTP for tests, and walks its OAuth flow like a browser. */
import assert from "node:assert/strict";
import { decideOnConsent } from "../browser.ts";
import { NOTION_VERSION } from "../../providers/notion.ts";
import { createNotionSandbox, type NotionSandboxOptions } from "../../sandbox/notion/sandbox.ts";
import { serveLocally } from "../local_server.ts";

export const CLIENT_ID = "notion-client";
export const CLIENT_SECRET = "notion-secret";
export const REDIRECT = "http://hub.test/integrations/notion/oauth2callback";
export const BASIC = `Basic ${btoa(`${CLIENT_ID}:${CLIENT_SECRET}`)}`;

export function serve(options: Partial<NotionSandboxOptions> = {}) {
  const sandbox = createNotionSandbox({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [REDIRECT],
    ...options,
  });
  return { ...sandbox, ...serveLocally(sandbox.app.fetch) };
}
export type Served = ReturnType<typeof serve>;

/** Opens the consent page with these query parameters and submits the decision. */
export async function authorize(
  s: Served,
  decision: "approve" | "deny",
  query: Record<string, string> = {},
): Promise<URL> {
  const params = new URLSearchParams(withoutEmpty({
    client_id: CLIENT_ID,
    response_type: "code",
    owner: "user",
    redirect_uri: REDIRECT,
    state: "st-1",
    ...query,
  }));
  return await decideOnConsent(`${s.url}/v1/oauth/authorize?${params}`, decision);
}

/** A token request as Notion documents it: Basic auth, JSON body, Notion-Version. */
export function tokenRequest(
  s: Served,
  body: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${s.url}/v1/oauth/token`, {
    method: "POST",
    headers: withoutEmpty({
      Authorization: BASIC,
      "Content-Type": "application/json",
      "Notion-Version": NOTION_VERSION,
      ...headers,
    }),
    body: JSON.stringify(body),
  });
}

/** The whole flow: consent, code, exchange; returns the token answer. */
export async function connect(s: Served): Promise<Record<string, unknown>> {
  const back = await authorize(s, "approve");
  const response = await tokenRequest(s, {
    grant_type: "authorization_code",
    code: back.searchParams.get("code")!,
    redirect_uri: REDIRECT,
  });
  assert.equal(response.status, 200);
  return await response.json();
}

/** POST /v1/search with a bearer token and the pinned version. */
export function searchRequest(
  s: Served,
  token: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${s.url}/v1/search`, {
    method: "POST",
    headers: withoutEmpty({
      Authorization: `Bearer ${token}`,
      "Content-Type": "application/json",
      "Notion-Version": NOTION_VERSION,
      ...headers,
    }),
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Drops entries given as "": how a test leaves out a parameter or header. */
function withoutEmpty(entries: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== ""));
}
