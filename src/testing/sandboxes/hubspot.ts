/** Test helpers: the sandbox on a real port, a fake clock, and the install flow as a browser does it. */
import { Hono } from "hono";
import assert from "node:assert/strict";
import {
  createHubspotSandbox,
  type HubspotSandboxControl,
  type HubspotSandboxOptions,
} from "../../sandbox/hubspot/sandbox.ts";
import { serveLocally } from "../local_server.ts";

export const CLIENT_ID = "sandbox-client-id";
export const CLIENT_SECRET = "sandbox-client-secret";
export const REDIRECT = "http://app.test/integrations/hubspot/oauth2callback";
export const SCOPES = [
  "oauth",
  "crm.objects.contacts.read",
  "crm.objects.companies.read",
  "crm.objects.deals.read",
];

export interface FakeClock {
  now: () => number;
  advance(ms: number): void;
}

export function fakeClock(start = Date.UTC(2026, 2, 10, 12, 0, 0, 0)): FakeClock {
  let now = start;
  return { now: () => now, advance: (ms) => void (now += ms) };
}

export interface Served {
  /** Where the sandbox's routes start (the origin, plus the mount path if any). */
  base: string;
  control: HubspotSandboxControl;
  close(): Promise<void>;
}

/** Serves a sandbox over HTTP on 127.0.0.1, optionally mounted under a path as the hub does. */
export function serveSandbox(options: Partial<HubspotSandboxOptions> = {}, mount = ""): Served {
  const sandbox = createHubspotSandbox({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [REDIRECT],
    ...options,
  });
  const app = mount === "" ? sandbox.app : new Hono().route(mount, sandbox.app);
  const server = serveLocally(app.fetch);
  return { base: server.url + mount, control: sandbox.control, close: server.close };
}

/** Runs `test` against a sandbox on a fake clock, and closes the sandbox after. */
export async function withSandbox(
  test: (s: Served, clock: FakeClock) => Promise<void>,
  options: Partial<HubspotSandboxOptions> = {},
): Promise<void> {
  const clock = fakeClock();
  const s = serveSandbox({ clock: clock.now, ...options });
  try {
    await test(s, clock);
  } finally {
    await s.close();
  }
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body as JSON, or null when it is not JSON. */
  json: Record<string, unknown> | null;
}

/** fetch, with the body always read (so no test leaks a response body). */
export async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, { redirect: "manual", ...init });
  const text = await response.text();
  let json: Record<string, unknown> | null = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: response.status, headers: response.headers, text, json };
}

const ENTITIES: Record<string, string> = {
  "&quot;": '"',
  "&#39;": "'",
  "&lt;": "<",
  "&gt;": ">",
  "&amp;": "&",
};
const unescape = (text: string) => text.replace(/&(quot|#39|lt|gt|amp);/g, (e) => ENTITIES[e]);

/** The consent page's form: where it posts and its hidden fields. */
export function consentForm(html: string): { action: string; fields: Record<string, string> } {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error("no form on the page");
  const action = unescape(/action="([^"]*)"/i.exec(form[0])?.[1] ?? "");
  const fields: Record<string, string> = {};
  for (const input of form[1].matchAll(/<input\b[^>]*>/gi)) {
    const name = /name="([^"]*)"/i.exec(input[0])?.[1];
    if (name) fields[unescape(name)] = unescape(/value="([^"]*)"/i.exec(input[0])?.[1] ?? "");
  }
  return { action, fields };
}

export function postForm(url: string, fields: Record<string, string>, headers: HeadersInit = {}) {
  return call(url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields),
  });
}

/** Opens the install URL, then Approve or Deny: the URL the browser is sent back to. */
export async function install(
  s: Served,
  decision: "approve" | "deny",
  params: Record<string, string> = {},
): Promise<URL> {
  const query = new URLSearchParams({
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT,
    scope: SCOPES.join(" "),
    state: "state-123",
    ...params,
  });
  const page = await call(`${s.base}/oauth/authorize?${query}`);
  if (page.status !== 200) throw new Error(`install page answered ${page.status}: ${page.text}`);
  const form = consentForm(page.text);
  const origin = new URL(s.base).origin;
  const back = await postForm(`${origin}${form.action}`, { ...form.fields, decision });
  const location = back.headers.get("location");
  if (back.status !== 302 || location === null) throw new Error(`decision answered ${back.status}`);
  return new URL(location);
}

export function exchange(s: Served, fields: Record<string, string>, headers: HeadersInit = {}) {
  return postForm(`${s.base}/oauth/v1/token`, {
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    ...fields,
  }, headers);
}

/** The whole flow: a code, exchanged. */
export async function connect(s: Served, params: Record<string, string> = {}) {
  const back = await install(s, "approve", params);
  const code = back.searchParams.get("code") ?? "";
  const answer = await exchange(s, {
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECT,
  });
  if (answer.status !== 200 || answer.json === null) throw new Error(answer.text);
  return answer.json as { access_token: string; refresh_token: string; expires_in: number };
}

export function crm(s: Served, path: string, accessToken?: string): Promise<Answer> {
  const headers: Record<string, string> = accessToken === undefined
    ? {}
    : { Authorization: `Bearer ${accessToken}` };
  return call(`${s.base}${path}`, { headers });
}

/** Runs `test` with an access token from the whole flow (`install` its parameters). */
export async function withToken(
  test: (s: Served, token: string, clock: FakeClock) => Promise<void>,
  options: Partial<HubspotSandboxOptions> = {},
  install: Record<string, string> = {},
): Promise<void> {
  await withSandbox(
    async (s, clock) => await test(s, (await connect(s, install)).access_token, clock),
    options,
  );
}

/** The rate-limit headers HubSpot sends on every CRM answer, 429s aside. */
export function assertRateHeaders(answer: Answer, max: number, remaining?: number): void {
  assert.equal(answer.headers.get("x-hubspot-ratelimit-max"), String(max));
  assert.equal(answer.headers.get("x-hubspot-ratelimit-interval-milliseconds"), "10000");
  assert.match(answer.headers.get("x-hubspot-ratelimit-remaining") ?? "", /^\d+$/);
  if (remaining !== undefined) {
    assert.equal(answer.headers.get("x-hubspot-ratelimit-remaining"), String(remaining));
  }
  assert.ok(answer.headers.get("x-hubspot-correlation-id"));
  assert.equal(answer.headers.get("retry-after"), null);
}
