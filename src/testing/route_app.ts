/** The hub's app on an embedded store, called in-process: for route tests. */
import assert from "node:assert/strict";
import { createApp } from "../app.ts";
import { loadConfig } from "../config.ts";
import { memoryLogger, TEST_API_KEY } from "./hub.ts";
import { createKvStore } from "../store/kv_store.ts";
import { mountSandboxes } from "../sandbox/mount.ts";

export const APP_URL = "http://hub.test";

/** The app at `appUrl`; `api` calls it with the test API key. */
export async function testApp(appUrl = APP_URL) {
  const kv = await Deno.openKv(":memory:");
  const app = createApp({
    config: loadConfig({ APP_URL: appUrl, API_KEYS: TEST_API_KEY }),
    store: createKvStore(kv),
    encryptionKeys: [{ id: "t", key: new Uint8Array(32).fill(3) }],
    sessionSecret: "route-test-session-secret-0123456789",
    log: memoryLogger(),
    mountSandboxes,
  });
  const api = (path: string, init: RequestInit = {}) =>
    app.request(`${APP_URL}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${TEST_API_KEY}`, ...init.headers },
    });
  return { app, api, close: () => kv.close() };
}

/** The error of an error answer, checked to have its code and message. */
export async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  const body = await response.json();
  assert.equal(typeof body.error.code, "string");
  assert.equal(typeof body.error.message, "string");
  return body.error;
}
