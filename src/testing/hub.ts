import type { Hono } from "hono";
import { createApp } from "../app.ts";
import { withStaticFiles } from "../deno_static.ts";
import { type Config, type EncryptionKey, type Env, loadConfig } from "../config.ts";
import { jsonLogger, type Logger } from "../log.ts";
import type { Fetch } from "../contract/calls.ts";
import type { HubEnv } from "../services.ts";
import type { Store } from "../store/store.ts";
import { mountSandboxes } from "../sandbox/mount.ts";
import { serveLocally } from "./local_server.ts";

export const TEST_API_KEY = "test-api-key-0123456789";

export interface RunningHub {
  url: string;
  config: Config;
  app: Hono<HubEnv>;
  close(): Promise<void>;
}

/** Collects log lines so tests can search them for secrets. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, ...jsonLogger((line) => lines.push(line)) };
}

/**
 * Serves the whole hub over real HTTP on a free port, its sandboxes included, so that the hub
 * talks to them exactly as it would to the providers.
 */
export function startHub(options: {
  store: Store;
  env?: Env;
  log?: Logger;
  clock?: () => number;
  refreshMarginMs?: number;
  encryptionKeys?: EncryptionKey[];
  fetch?: Fetch;
  syncStepsPerRun?: number | null;
  /** Subrequests a requested sync run may spend, as on Workers (null: no bound). */
  syncRunSubrequests?: number | null;
}): RunningHub {
  let app: Hono<HubEnv> | null = null;
  let site: Hono | null = null;
  const server = serveLocally((request) =>
    site ? site.fetch(request) : new Response("starting", { status: 503 })
  );
  const url = server.url;
  // Background syncs are off unless a test turns them on: the tests of the live path count
  // provider calls and store round trips that a sync running beside them would change.
  const config = loadConfig({
    APP_URL: url,
    API_KEYS: TEST_API_KEY,
    SYNC_INTERVAL_MINUTES: "0",
    ...options.env,
  });
  app = createApp({
    config,
    store: options.store,
    encryptionKeys: options.encryptionKeys ??
      [{ id: "test1", key: crypto.getRandomValues(new Uint8Array(32)) }],
    sessionSecret: "test-session-secret-0123456789abcdef",
    log: options.log ?? memoryLogger(),
    clock: options.clock,
    refreshMarginMs: options.refreshMarginMs,
    fetch: options.fetch,
    syncStepsPerRun: options.syncStepsPerRun,
    syncRunSubrequests: options.syncRunSubrequests,
    mountSandboxes,
  });
  site = withStaticFiles(app);
  return { url, config, app, close: server.close };
}
