/**
 * Hostile input, property-based: random and malformed query strings, bodies, cookies, headers
 * and state/code values thrown at every route. Never a 5xx, never a stack trace, always the
 * contract's error shape (JSON for the API, a page for the browser).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { mountSandboxes } from "../sandbox/mount.ts";
import { createApp } from "../app.ts";
import { loadConfig } from "../config.ts";
import { PROVIDER_IDS } from "../providers/registry.ts";
import { createKvStore } from "../store/kv_store.ts";
import { memoryLogger, TEST_API_KEY } from "../testing/hub.ts";

const APP_URL = "http://hub.test";

const ROUTES: { method: string; path: (p: string, token: string) => string; html: boolean }[] = [
  { method: "GET", path: () => "/", html: true },
  { method: "GET", path: () => "/login", html: true },
  { method: "POST", path: () => "/login", html: true },
  { method: "POST", path: () => "/logout", html: true },
  { method: "GET", path: (_, t) => `/connect/${t}`, html: true },
  { method: "POST", path: (p) => `/integrations/${p}/connect`, html: true },
  { method: "GET", path: (p) => `/integrations/${p}/oauth2callback`, html: true },
  { method: "GET", path: (p) => `/ui/${p}/items`, html: true },
  { method: "POST", path: (p) => `/ui/${p}/disconnect`, html: true },
  { method: "GET", path: () => "/health", html: false },
  { method: "POST", path: () => "/api/sessions", html: false },
  { method: "GET", path: () => "/integrations", html: false },
  { method: "GET", path: (p) => `/integrations/${p}/authorize`, html: false },
  { method: "GET", path: (p) => `/integrations/${p}/status`, html: false },
  { method: "GET", path: (p) => `/integrations/${p}/items`, html: false },
  { method: "DELETE", path: (p) => `/integrations/${p}`, html: false },
  { method: "GET", path: () => "/sandbox/hubspot/oauth/authorize", html: true },
  { method: "POST", path: () => "/sandbox/hubspot/oauth/authorize", html: true },
  { method: "POST", path: () => "/sandbox/hubspot/oauth/v1/token", html: false },
  { method: "GET", path: (_, t) => `/sandbox/hubspot/oauth/v1/access-tokens/${t}`, html: false },
  { method: "GET", path: () => "/sandbox/hubspot/crm/v3/objects/contacts", html: false },
];

/** Printable text plus the characters that break naive parsers. */
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    "",
    "%",
    "%00",
    "\u0000",
    "'\"<script>",
    "../../etc/passwd",
    "9".repeat(400),
    "-1",
    "1e309",
    "NaN",
    "{}",
    "[]",
    "null",
    "eyJ2IjoxLCJwIjoiaHVic3BvdCIsImMiOltdfQ",
    "😀",
  ),
);

const queryArb = fc.dictionary(
  fc.constantFrom(
    "user_id",
    "org_id",
    "limit",
    "cursor",
    "state",
    "code",
    "error",
    "x",
    "connected",
  ),
  nasty,
  { maxKeys: 6 },
);

const headerValue = fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, ""));

const requestArb = fc.record({
  route: fc.integer({ min: 0, max: ROUTES.length - 1 }),
  provider: fc.constantFrom(...PROVIDER_IDS, "HubSpot", "x", "%2e%2e", ""),
  token: fc.string({ minLength: 1, maxLength: 30 }).map((s) => encodeURIComponent(s)),
  query: queryArb,
  auth: fc.oneof(
    fc.constant(undefined),
    fc.constant(`Bearer ${TEST_API_KEY}`),
    headerValue,
    headerValue.map((v) => `Bearer ${v}`),
  ),
  cookie: fc.oneof(fc.constant(undefined), headerValue.map((v) => `hub_session=${v}`)),
  contentType: fc.constantFrom(
    undefined,
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "text/plain",
  ),
  body: fc.oneof(fc.constant(undefined), nasty, fc.json()),
  hx: fc.boolean(),
});

Deno.test("random and malformed input never gives a 5xx, a stack trace or a shapeless error", async () => {
  const kv = await Deno.openKv(":memory:");
  const log = memoryLogger();
  const app = createApp({
    config: loadConfig({ APP_URL, API_KEYS: TEST_API_KEY }),
    store: createKvStore(kv),
    encryptionKeys: [{ id: "t", key: new Uint8Array(32).fill(9) }],
    sessionSecret: "fuzz-session-secret-0123456789abcdef",
    log,
    mountSandboxes,
  });
  try {
    await fc.assert(
      fc.asyncProperty(requestArb, async (r) => {
        const route = ROUTES[r.route];
        const url = new URL(APP_URL + route.path(r.provider, r.token));
        for (const [k, v] of Object.entries(r.query)) url.searchParams.set(k, v);
        const headers = new Headers({ Origin: APP_URL });
        if (r.auth !== undefined) headers.set("Authorization", r.auth);
        if (r.cookie !== undefined) headers.set("Cookie", r.cookie);
        if (r.contentType !== undefined) headers.set("Content-Type", r.contentType);
        if (r.hx) headers.set("HX-Request", "true");
        const hasBody = route.method !== "GET" && r.body !== undefined;
        const response = await app.request(url.toString(), {
          method: route.method,
          headers,
          body: hasBody ? r.body : undefined,
        });
        const text = await response.text();
        assert.ok(
          response.status < 500,
          `${route.method} ${url} answered ${response.status}: ${text}`,
        );
        assert.ok(!/\n\s+at\s/.test(text), `stack trace in ${route.method} ${url}`);
        if (response.status >= 400) {
          const type = response.headers.get("content-type") ?? "";
          if (type.includes("application/json")) {
            const body = JSON.parse(text);
            const error = body.error ?? {};
            assert.ok(
              (typeof error.code === "string" && typeof error.message === "string") ||
                typeof body.status === "string" || typeof body.error === "string",
              `error shape of ${route.method} ${url}: ${text}`,
            );
          } else {
            assert.ok(type.includes("text/html"), `${route.method} ${url}: ${type} ${text}`);
          }
        }
      }),
      { numRuns: 400 },
    );
    assert.ok(!log.lines.some((l) => l.includes("unexpected error")), log.lines.join("\n"));
  } finally {
    kv.close();
  }
});
