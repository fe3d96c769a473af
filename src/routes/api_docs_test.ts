import assert from "node:assert/strict";
import { createApp } from "../app.ts";
import { loadConfig } from "../config.ts";
import { mountSandboxes } from "../sandbox/mount.ts";
import { createKvStore } from "../store/kv_store.ts";
import { memoryLogger, TEST_API_KEY } from "../testing/hub.ts";

const APP_URL = "http://hub.test";

Deno.test("/docs renders every operation of /openapi.json under the dashboard's strict policy", async () => {
  const kv = await Deno.openKv(":memory:");
  const app = createApp({
    config: loadConfig({ APP_URL, API_KEYS: TEST_API_KEY }),
    store: createKvStore(kv),
    encryptionKeys: [{ id: "t", key: new Uint8Array(32).fill(7) }],
    sessionSecret: "docs-test-session-secret-0123456789",
    log: memoryLogger(),
    mountSandboxes,
  });
  try {
    const doc = await (await app.request(`${APP_URL}/openapi.json`)).json();
    const page = await app.request(`${APP_URL}/docs`);
    assert.equal(page.status, 200);
    const csp = page.headers.get("content-security-policy") ?? "";
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:\/\/(?!hub\.test)/);
    const html = await page.text();
    // Nothing from another site: no script, stylesheet or font from a CDN.
    assert.doesNotMatch(html, /<(script|link)[^>]+(src|href)="https?:/);
    for (const [path, item] of Object.entries(doc.paths as Record<string, object>)) {
      for (const method of Object.keys(item)) {
        assert.ok(html.includes(`${method.toUpperCase()} ${path}`), `${method} ${path} on /docs`);
      }
    }
    for (const schema of Object.keys(doc.components.schemas)) {
      assert.ok(html.includes(`id="schema-${schema}"`), `schema ${schema} on /docs`);
    }
    const login = await (await app.request(`${APP_URL}/login`)).text();
    assert.match(login, /<footer[^>]*>.*<a href="\/docs">API reference<\/a>/s);
  } finally {
    kv.close();
  }
});
