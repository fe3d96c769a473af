/**
 * The API's strictness, as a table over every operation of its OpenAPI document: unknown and
 * repeated parameters, integers in digits only, messages for people, JSON 404 and 405 (also to
 * a browser), and Cache-Control: no-store on every answer.
 */
import assert from "node:assert/strict";
import { createApp } from "../app.ts";
import { loadConfig } from "../config.ts";
import { mountSandboxes } from "../sandbox/mount.ts";
import { createKvStore } from "../store/kv_store.ts";
import { memoryLogger, TEST_API_KEY } from "../testing/hub.ts";

const APP_URL = "http://hub.test";
const OWNER = "user_id=ada&org_id=acme";

interface Operation {
  method: string;
  path: string;
  query: string[];
}

async function withApp(
  fn: (
    request: (method: string, path: string, init?: RequestInit) => Promise<Response>,
    ops: Operation[],
  ) => Promise<void>,
): Promise<void> {
  const kv = await Deno.openKv(":memory:");
  const app = createApp({
    config: loadConfig({ APP_URL, API_KEYS: TEST_API_KEY, SYNC_INTERVAL_MINUTES: "0" }),
    store: createKvStore(kv),
    encryptionKeys: [{ id: "t", key: new Uint8Array(32).fill(5) }],
    sessionSecret: "strict-test-session-secret-0123456789",
    log: memoryLogger(),
    mountSandboxes,
  });
  const request = async (method: string, path: string, init: RequestInit = {}) =>
    await app.request(`${APP_URL}${path}`, {
      ...init,
      method,
      headers: {
        Authorization: `Bearer ${TEST_API_KEY}`,
        "Content-Type": "application/json",
        ...init.headers,
      },
    });
  try {
    const doc = await (await request("GET", "/openapi.json")).json();
    const ops: Operation[] = [];
    for (
      const [path, item] of Object.entries(doc.paths) as [
        string,
        Record<string, { parameters?: { name: string; in: string }[] }>,
      ][]
    ) {
      if (!/^\/(integrations|api|health)/.test(path) || path.endsWith("/oauth2callback")) continue;
      for (const [method, op] of Object.entries(item)) {
        ops.push({
          method: method.toUpperCase(),
          path: path.replace("{provider}", "hubspot"),
          query: (op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name),
        });
      }
    }
    assert.ok(ops.length >= 9, `the API's operations: ${ops.length}`);
    await fn(request, ops);
  } finally {
    kv.close();
  }
}

const BODY = JSON.stringify({ user_id: "ada", org_id: "acme" });

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  assert.match(response.headers.get("content-type") ?? "", /application\/json/);
  assert.equal(response.headers.get("cache-control"), "no-store");
  return (await response.json()).error;
}

Deno.test("every API route refuses a parameter it does not know, naming it", async () => {
  await withApp(async (request, ops) => {
    for (const op of ops) {
      const owner = op.query.includes("user_id") ? `${OWNER}&` : "";
      const response = await request(op.method, `${op.path}?${owner}limt=5`, {
        body: op.method === "POST" ? BODY : undefined,
      });
      assert.equal(response.status, 400, `${op.method} ${op.path}`);
      const error = await errorOf(response);
      assert.equal(error.code, "invalid_request");
      assert.equal(error.message, "Invalid request. limt: not a parameter of this route.");
    }
  });
});

Deno.test("every API route refuses a single-valued parameter given twice", async () => {
  await withApp(async (request, ops) => {
    for (const op of ops.filter((o) => o.query.includes("user_id"))) {
      const response = await request(op.method, `${op.path}?${OWNER}&user_id=bob`);
      assert.equal(response.status, 400, `${op.method} ${op.path}`);
      assert.equal(
        (await errorOf(response)).message,
        "Invalid request. user_id: given more than once; send it once.",
      );
    }
  });
});

Deno.test("integers are digits only, with one message for people per problem", async () => {
  await withApp(async (request, ops) => {
    const paged = ops.filter((o) => o.query.includes("limit"));
    assert.deepEqual(paged.map((o) => o.path).sort(), [
      "/integrations/hubspot/changes",
      "/integrations/hubspot/items",
    ]);
    for (const op of paged) {
      for (const limit of ["1e2", "0x10", " 5", "5 ", "", "0", "1001", "-1", "2.0", "١٢"]) {
        const response = await request(
          op.method,
          `${op.path}?${OWNER}&limit=${encodeURIComponent(limit)}`,
        );
        assert.equal(response.status, 400, `${op.path} limit=${JSON.stringify(limit)}`);
        assert.equal(
          (await errorOf(response)).message,
          "Invalid request. limit: a whole number from 1 to 1000.",
        );
      }
    }
    const several = await request(
      "GET",
      "/integrations/hubspot/items?user_id=&org_id=acme&limit=0&q=&modified_after=yesterday",
    );
    assert.equal(
      (await errorOf(several)).message,
      "Invalid request. user_id: required; limit: a whole number from 1 to 1000; q: 1 to 200 characters; modified_after: an ISO-8601 date and time, such as 2026-01-31T12:00:00Z.",
    );
    const typo = await request("GET", `/integrations/hubspot/items?${OWNER}&type=deals`);
    assert.equal(
      (await errorOf(typo)).message,
      "Invalid request. type: deals is not one of contact, company, deal.",
    );
    const missing = await request("GET", "/integrations/hubspot/status");
    assert.equal(
      (await errorOf(missing)).message,
      "Invalid request. user_id: required; org_id: required.",
    );
  });
});

Deno.test("a known path asked with another method is 405 with Allow, as JSON", async () => {
  await withApp(async (request, ops) => {
    for (const op of ops) {
      const other = op.method === "PATCH" ? "PUT" : "PATCH";
      const response = await request(other, `${op.path}?${OWNER}`, {
        headers: { Accept: "text/html" },
      });
      assert.equal(response.status, 405, `${other} ${op.path}`);
      const allow = (response.headers.get("allow") ?? "").split(", ");
      const methods = ops.filter((o) => o.path === op.path).map((o) => o.method);
      for (const method of methods) assert.ok(allow.includes(method), `${allow} has ${method}`);
      assert.equal((await errorOf(response)).code, "method_not_allowed");
    }
  });
});

Deno.test("unknown paths under the API are JSON 404s even to a browser; elsewhere a browser gets a page", async () => {
  await withApp(async (request) => {
    for (const path of ["/integrations/hubspot/itemz", "/api/nothing", "/health/deep"]) {
      for (const accept of ["application/json", "text/html"]) {
        const response = await request("GET", path, { headers: { Accept: accept } });
        assert.equal(response.status, 404, path);
        assert.equal((await errorOf(response)).code, "not_found");
      }
    }
    const page = await request("GET", "/nothing-here", { headers: { Accept: "text/html" } });
    assert.equal(page.status, 404);
    assert.match(page.headers.get("content-type") ?? "", /text\/html/);
    assert.match(await page.text(), /Nothing is served at GET \/nothing-here/);
    const htmx = await request("GET", "/nothing-here", { headers: { "HX-Request": "true" } });
    assert.match(htmx.headers.get("content-type") ?? "", /text\/html/);
    await htmx.body?.cancel();
    const program = await request("GET", "/nothing-here");
    assert.equal((await errorOf(program)).code, "not_found");
  });
});

Deno.test("every answer, success or error, API or page, says Cache-Control: no-store", async () => {
  await withApp(async (request, ops) => {
    for (const op of ops) {
      const response = await request(op.method, `${op.path}?${OWNER}`, {
        body: op.method === "POST" ? BODY : undefined,
      });
      assert.equal(response.headers.get("cache-control"), "no-store", `${op.method} ${op.path}`);
      await response.body?.cancel();
    }
    for (const path of ["/login", "/", "/docs", "/openapi.json"]) {
      const response = await request("GET", path, { headers: { Accept: "text/html" } });
      assert.equal(response.headers.get("cache-control"), "no-store", path);
      await response.body?.cancel();
    }
  });
});
