/**
 * The OpenAPI document is valid OpenAPI 3.1, and the hub's real answers (a scripted flow over
 * HTTP against the sandboxes: successes and each error) match what it says, so it cannot drift.
 */
import assert from "node:assert/strict";
import { Ajv2020 } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import { Validator } from "@seriousme/openapi-schema-validator";
import { createKvStore } from "../store/kv_store.ts";
import { decideOnConsent, TestBrowser } from "../testing/browser.ts";
import { type RunningHub, startHub, TEST_API_KEY } from "../testing/hub.ts";

const DOC_ID = "https://hub.test/openapi.json";
const OWNER = "user_id=ada&org_id=acme";

interface Doc {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
}

/** Checks each answer against the document; remembers which operations and statuses it saw. */
class Checker {
  readonly #ajv = new Ajv2020({ strict: false, allErrors: true });
  readonly seen = new Set<string>();

  constructor(readonly doc: Doc, readonly hub: RunningHub) {
    // A CommonJS module: its default export is the plugin itself.
    (formats as unknown as (ajv: Ajv2020) => void)(this.#ajv);
    this.#ajv.addSchema({ ...doc, $id: DOC_ID });
  }

  /** Sends a request and validates its answer against the operation's schema for its status. */
  async call(
    method: string,
    path: string,
    init: RequestInit & { browser?: TestBrowser } = {},
  ): Promise<{ status: number; body: unknown; headers: Headers }> {
    const headers = new Headers(init.headers);
    if (!headers.has("Authorization") && init.browser === undefined) {
      headers.set("Authorization", `Bearer ${TEST_API_KEY}`);
    }
    const request = { ...init, method, headers };
    const response = init.browser
      ? await init.browser.request(this.hub.url + path, request)
      : await fetch(this.hub.url + path, request);
    const text = await response.text();
    const body = text === "" ? undefined : JSON.parse(text);
    const template = this.#template(path.split("?")[0]);
    const operation = this.doc.paths[template]?.[method.toLowerCase()];
    assert.ok(operation, `${method} ${template} is in the document`);
    const status = String(response.status);
    assert.ok(
      operation.responses[status],
      `${method} ${template} answered ${status}, which the document does not list: ${text}`,
    );
    this.seen.add(`${method} ${template} ${status}`);
    if (body !== undefined) this.#validate(template, method.toLowerCase(), status, body);
    return { status: response.status, body, headers: response.headers };
  }

  /** An answer that belongs to no operation (404, 405): it must be the Error component. */
  validateError(body: unknown): void {
    const validate = this.#ajv.getSchema(`${DOC_ID}#/components/schemas/Error`)!;
    assert.ok(validate(body), JSON.stringify(validate.errors));
  }

  #validate(template: string, method: string, status: string, body: unknown): void {
    const pointer = ["paths", template, method, "responses", status, "content", "application/json"]
      .map((part) => encodeURIComponent(part.replaceAll("~", "~0").replaceAll("/", "~1")))
      .join("/");
    const validate = this.#ajv.getSchema(`${DOC_ID}#/${pointer}/schema`);
    assert.ok(validate, `a JSON schema for ${method} ${template} ${status}`);
    assert.ok(
      validate(body),
      `${method} ${template} ${status}: ${JSON.stringify(validate.errors)} in ${
        JSON.stringify(body).slice(0, 500)
      }`,
    );
  }

  #template(path: string): string {
    const match = Object.keys(this.doc.paths).find((template) =>
      new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(path)
    );
    assert.ok(match, `a path of the document matches ${path}`);
    return match;
  }
}

async function withHub(fn: (hub: RunningHub, doc: Doc) => Promise<void>): Promise<void> {
  const kv = await Deno.openKv(":memory:");
  const hub = startHub({ store: createKvStore(kv) });
  try {
    const doc = await (await fetch(`${hub.url}/openapi.json`)).json();
    await fn(hub, doc);
  } finally {
    await hub.close();
    kv.close();
  }
}

Deno.test("the generated document is valid OpenAPI 3.1 and lists every route of the contract", async () => {
  await withHub(async (_hub, doc) => {
    const result = await new Validator().validate(
      structuredClone(doc) as unknown as Record<string, unknown>,
    );
    assert.equal(result.valid, true, JSON.stringify(result.errors));
    assert.match(doc.openapi, /^3\.1\./);
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`)
    );
    for (
      const route of [
        "GET /integrations/{provider}/authorize",
        "GET /integrations/{provider}/oauth2callback",
        "GET /integrations/{provider}/items",
        "GET /integrations/{provider}/status",
        "POST /integrations/{provider}/sync",
        "GET /integrations/{provider}/changes",
        "DELETE /integrations/{provider}",
        "GET /integrations",
        "POST /api/sessions",
        "GET /health",
        "GET /",
      ]
    ) assert.ok(operations.includes(route), `${route} in ${operations.join(", ")}`);
    const json = JSON.stringify(doc);
    const schemes = (doc as unknown as { components: { securitySchemes: object } }).components
      .securitySchemes;
    assert.deepEqual(Object.keys(schemes).sort(), ["apiKey", "session"]);
    // Errors are one shared component, referenced, not copied into each answer.
    assert.ok(json.includes('"$ref":"#/components/schemas/Error"'));
    assert.ok(json.includes('"example"'));
  });
});

Deno.test("every route's real answers, successes and errors, match the document", async () => {
  await withHub(async (hub, doc) => {
    const check = new Checker(doc, hub);
    assert.equal((await check.call("GET", "/health")).status, 200);
    assert.equal((await check.call("GET", `/integrations?${OWNER}`)).status, 200);
    assert.equal((await check.call("GET", `/integrations/hubspot/status?${OWNER}`)).status, 200);
    assert.equal((await check.call("GET", `/integrations/hubspot/items?${OWNER}`)).status, 409);
    assert.equal((await check.call("POST", `/integrations/hubspot/sync?${OWNER}`)).status, 409);
    assert.equal((await check.call("GET", `/integrations/hubspot/changes?${OWNER}`)).status, 409);

    // Connect as a program does: authorize, the user approves, the callback stores it.
    const authorize = await check.call("GET", `/integrations/hubspot/authorize?${OWNER}`);
    assert.equal(authorize.status, 200);
    const callback = await decideOnConsent(
      (authorize.body as { authorize_url: string }).authorize_url,
      "approve",
    );
    const landed = await fetch(callback, { redirect: "manual" });
    await landed.body?.cancel();
    assert.equal(landed.status, 303);
    const bad = await fetch(`${hub.url}/integrations/hubspot/oauth2callback?code=x&state=nope`);
    assert.equal(bad.status, 400);
    assert.ok(doc.paths["/integrations/{provider}/oauth2callback"].get.responses["400"]);
    await bad.body?.cancel();

    // Live pages (before the first sync), then the copy after a sync.
    const live = await check.call("GET", `/integrations/hubspot/items?${OWNER}&limit=2`);
    assert.equal(live.status, 200);
    const cursor = (live.body as { next_cursor: string }).next_cursor;
    const next = await check.call(
      "GET",
      `/integrations/hubspot/items?${OWNER}&limit=2&cursor=${encodeURIComponent(cursor)}`,
    );
    assert.equal(next.status, 200);
    assert.equal((await check.call("POST", `/integrations/hubspot/sync?${OWNER}`)).status, 202);
    for (let tries = 0; tries < 200; tries++) {
      const status = await check.call("GET", `/integrations/hubspot/status?${OWNER}`);
      if ((status.body as { sync: { state: string } }).sync.state === "ok") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const copy = await check.call(
      "GET",
      `/integrations/hubspot/items?${OWNER}&limit=3&type=contact,deal&q=a&modified_after=2000-01-01T00:00:00Z`,
    );
    assert.equal(copy.status, 200);
    assert.notEqual((copy.body as { synced_at: string | null }).synced_at, null);
    const changes = await check.call("GET", `/integrations/hubspot/changes?${OWNER}&limit=5`);
    assert.equal(changes.status, 200);
    const since = (changes.body as { next_since: string }).next_since;
    assert.equal(
      (await check.call(
        "GET",
        `/integrations/hubspot/changes?${OWNER}&since=${encodeURIComponent(since)}`,
      )).status,
      200,
    );

    // Each kind of refusal.
    assert.equal(
      (await check.call("GET", `/integrations/hubspot/items?${OWNER}&limit=1e2`)).status,
      400,
    );
    assert.equal(
      (await check.call("GET", `/integrations/hubspot/status?${OWNER}&x=1`)).status,
      400,
    );
    assert.equal(
      (await check.call("GET", `/integrations/hubspot/status?${OWNER}`, {
        headers: { Authorization: "Bearer not-a-key-at-all-0000" },
      })).status,
      401,
    );
    assert.equal((await check.call("GET", `/integrations/dropbox/items?${OWNER}`)).status, 404);
    const browser = new TestBrowser();
    await browser.postForm(`${hub.url}/login`, { user_id: "ada", org_id: "acme" });
    assert.equal(
      (await check.call("GET", "/integrations/hubspot/status?user_id=bob", { browser })).status,
      403,
    );
    assert.equal(
      (await check.call("GET", "/integrations/hubspot/status", { browser })).status,
      200,
    );
    assert.equal(
      (await check.call("GET", `/integrations/hubspot/items?${OWNER}&cursor=${"x".repeat(9000)}`))
        .status,
      414,
    );
    assert.equal(
      (await check.call("GET", `/integrations?${OWNER}`, {
        headers: { "X-Padding": "x".repeat(20_000) },
      })).status,
      431,
    );

    // Connect links.
    const json = { "Content-Type": "application/json" };
    const minted = await check.call("POST", "/api/sessions", {
      headers: json,
      body: JSON.stringify({ user_id: "ada", org_id: "acme" }),
    });
    assert.equal(minted.status, 201);
    assert.equal(
      (await check.call("POST", "/api/sessions", { headers: json, body: "{" })).status,
      400,
    );
    assert.equal(
      (await check.call("POST", "/api/sessions", {
        headers: { "Content-Type": "text/plain" },
        body: "user_id=ada",
      })).status,
      415,
    );
    assert.equal(
      (await check.call("POST", "/api/sessions", {
        headers: json,
        body: JSON.stringify({ user_id: "x".repeat(40_000), org_id: "acme" }),
      })).status,
      413,
    );

    assert.equal((await check.call("DELETE", `/integrations/hubspot?${OWNER}`)).status, 204);

    // Answers outside any operation still use the shared error component.
    const missing = await fetch(`${hub.url}/integrations/hubspot/nothing-here`);
    assert.equal(missing.status, 404);
    check.validateError(await missing.json());
    const wrongMethod = await fetch(`${hub.url}/integrations/hubspot/items`, { method: "PUT" });
    assert.equal(wrongMethod.status, 405);
    check.validateError(await wrongMethod.json());

    // Every operation of the API was seen answering successfully.
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item)) {
        if (path === "/" || path.endsWith("/oauth2callback")) continue;
        const ok = [...check.seen].some((s) => s.startsWith(`${method.toUpperCase()} ${path} 2`));
        assert.ok(ok, `${method.toUpperCase()} ${path} answered a success in the flow`);
      }
    }
  });
});
