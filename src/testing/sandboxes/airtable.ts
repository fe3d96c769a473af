/** Serves the Airtable sandbox over real HTTP for tests, and walks its OAuth flow like a browser. */
import assert from "node:assert/strict";
import { decideOnConsent } from "../browser.ts";
import type { AirtableBase } from "../../sandbox/airtable/data.ts";
import {
  type AirtableSandboxOptions,
  createAirtableSandbox,
} from "../../sandbox/airtable/sandbox.ts";
import { s256 } from "../../sandbox/emulator.ts";
import { serveLocally } from "../local_server.ts";

export const CLIENT_ID = "airtable-client";
export const CLIENT_SECRET = "airtable-secret";
export const REDIRECT = "http://hub.test/integrations/airtable/oauth2callback";
export const BASIC = `Basic ${btoa(`${CLIENT_ID}:${CLIENT_SECRET}`)}`;
/** 64 characters from Airtable's allowed set. */
export const VERIFIER = "verifier-0123456789_abcdefghijklmnopqrstuvwxyz.ABCDEFGHIJKLMNOPQ";
export const STATE = "state-0123456789abcdef";

export function serve(options: Partial<AirtableSandboxOptions> = {}) {
  const sandbox = createAirtableSandbox({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [REDIRECT],
    ...options,
  });
  return { ...sandbox, ...serveLocally(sandbox.app.fetch) };
}
export type Served = ReturnType<typeof serve>;

/** The authorize query the hub would send, with overrides; "" leaves a parameter out. */
export async function authorizeQuery(overrides: Record<string, string> = {}) {
  return new URLSearchParams(withoutEmpty({
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT,
    response_type: "code",
    scope: "data.records:read schema.bases:read",
    state: STATE,
    code_challenge: await s256(VERIFIER),
    code_challenge_method: "S256",
    ...overrides,
  }));
}

/** Opens the consent page and submits the decision; answers where Airtable sends the browser. */
export async function authorize(
  s: Served,
  decision: "approve" | "deny" = "approve",
  overrides: Record<string, string> = {},
): Promise<URL> {
  return await decideOnConsent(
    `${s.url}/oauth2/v1/authorize?${await authorizeQuery(overrides)}`,
    decision,
  );
}

/** An approved code. */
export async function code(s: Served, overrides: Record<string, string> = {}): Promise<string> {
  return (await authorize(s, "approve", overrides)).searchParams.get("code")!;
}

/** POST /oauth2/v1/token with a form body; Basic auth unless `auth` is null. */
export function tokenRequest(
  s: Served,
  fields: Record<string, string>,
  auth: string | null = BASIC,
): Promise<Response> {
  return fetch(`${s.url}/oauth2/v1/token`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      ...(auth === null ? {} : { Authorization: auth }),
    },
    body: new URLSearchParams(fields),
  });
}

export interface TokenAnswer {
  access_token: string;
  refresh_token: string;
  token_type: string;
  scope: string;
  expires_in: number;
  refresh_expires_in: number;
}

/** The whole flow: consent, code, exchange. */
export async function connect(s: Served): Promise<TokenAnswer> {
  const response = await tokenRequest(s, {
    grant_type: "authorization_code",
    code: await code(s),
    redirect_uri: REDIRECT,
    code_verifier: VERIFIER,
  });
  assert.equal(response.status, 200);
  return await response.json();
}

/** A GET on the API with a bearer token. */
export function apiGet(s: Served, token: string, path: string): Promise<Response> {
  return fetch(`${s.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
}

/** Status and parsed JSON body of a response (the body is always consumed). */
export async function answer(response: Response): Promise<{ status: number; body: unknown }> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch { /* not JSON: keep the text */ }
  return { status: response.status, body };
}

/** Every base, table and record id of the seeded account, sorted. */
export function seededIds(bases: AirtableBase[]): string[] {
  return bases.flatMap((b) => [
    b.id,
    ...b.tables.flatMap((t) => [t.id, ...t.records.map((r) => r.id)]),
  ]).sort();
}

function withoutEmpty(entries: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== ""));
}
