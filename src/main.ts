/**
 * The Deno entry: reads .env and the environment, picks the store (Upstash when configured,
 * else the embedded Deno KV store under .data/), serves static/ and the hub, and on SIGTERM or
 * SIGINT drains in-flight requests before exiting. The only file besides the embedded store
 * that touches Deno.*.
 */
import { mountSandboxes } from "./sandbox/mount.ts";
import { createHub } from "./app.ts";
import { ConfigError, type EncryptionKey, type Env, loadConfig } from "./config.ts";
import { generateEncryptionKey } from "./crypto/sealer.ts";
import { withStaticFiles } from "./deno_static.ts";
import { parseDotenv } from "./dotenv.ts";
import { openKvStore } from "./store/kv_store.ts";
import type { Store } from "./store/store.ts";
import { createUpstashStore } from "./store/upstash_store.ts";
import { schedulerFor } from "./sync/scheduler.ts";

const DATA_DIR = ".data";
/** How often the background looks for due syncs. */
const SYNC_TICK_MS = 30_000;

async function readEnv(): Promise<Env> {
  let fileEnv: Env = {};
  try {
    fileEnv = parseDotenv(await Deno.readTextFile(".env"));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return { ...fileEnv, ...Deno.env.toObject() };
}

/** Development keeps one generated key beside the embedded store, so tokens survive restarts. */
async function developmentKeys(): Promise<EncryptionKey[]> {
  const path = `${DATA_DIR}/encryption-keys`;
  let raw: string;
  try {
    raw = (await Deno.readTextFile(path)).trim();
  } catch {
    raw = generateEncryptionKey("dev1");
    await Deno.mkdir(DATA_DIR, { recursive: true });
    await Deno.writeTextFile(path, raw + "\n", { mode: 0o600 });
  }
  const config = loadConfig({ ENCRYPTION_KEYS: raw });
  return config.encryptionKeys!;
}

/** Development keeps one generated session secret there too, so a restart keeps you signed in. */
async function developmentSessionSecret(): Promise<string> {
  const path = `${DATA_DIR}/session-secret`;
  try {
    const kept = (await Deno.readTextFile(path)).trim();
    if (kept.length >= 32) return kept;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const secret = Array.from(
    crypto.getRandomValues(new Uint8Array(32)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  await Deno.mkdir(DATA_DIR, { recursive: true });
  await Deno.writeTextFile(path, secret + "\n", { mode: 0o600 });
  return secret;
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(await readEnv());
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      Deno.exit(1);
    }
    throw error;
  }
  const timeoutMs = config.limits.storeTimeoutMs;
  const store: Store & { close?(): void } = config.upstash
    ? createUpstashStore({ ...config.upstash, timeoutMs })
    : await openKvStore(`${DATA_DIR}/hub.kv`, { timeoutMs });
  const { app: hub, services } = createHub({
    config,
    store,
    encryptionKeys: config.encryptionKeys ?? await developmentKeys(),
    sessionSecret: config.sessionSecret ?? await developmentSessionSecret(),
    mountSandboxes,
  });
  const root = withStaticFiles(hub);
  const server = Deno.serve({
    port: config.port,
    onListen: () => {
      console.log(`Integrations hub on ${config.appUrl} (port ${config.port})`);
      console.log(`store: ${store.kind}; sandbox providers: ${config.sandbox ? "on" : "off"}`);
    },
  }, root.fetch);

  // Background syncs: each tick runs what is due (a first sync is started at connect).
  const scheduler = schedulerFor(services, null)
    ?.start(Math.min(SYNC_TICK_MS, config.syncIntervalMs ?? SYNC_TICK_MS));

  let stopping = false;
  const stop = async (signal: Deno.Signal) => {
    // A second signal while draining means "now".
    if (stopping) Deno.exit(1);
    stopping = true;
    const { log } = services;
    const drainMs = config.limits.shutdownDrainMs;
    log.info("shutdown", { signal, outcome: "draining", drain_ms: drainMs });
    const started = Date.now();
    const drained = await drain(server, drainMs);
    void scheduler?.stop();
    // Whatever still runs is cut off with the process; its locks need not wait out their TTL,
    // and its syncs resume elsewhere from their last checkpoint.
    const released = await services.keeper.releaseHeldLocks() +
      await services.sync.engine.releaseHeldLeases();
    store.close?.();
    log.info("shutdown", {
      signal,
      outcome: drained ? "drained" : "drain_timeout",
      ms: Date.now() - started,
      released_locks: released,
    });
    Deno.exit(0);
  };
  // Windows delivers no SIGTERM to listen for.
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGTERM", "SIGINT"];
  for (const signal of signals) {
    Deno.addSignalListener(signal, () => void stop(signal));
  }
}

/**
 * Stops accepting connections and lets in-flight requests finish; true when they all did
 * within `drainMs`.
 */
async function drain(server: Deno.HttpServer, drainMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), drainMs);
  });
  try {
    return await Promise.race([server.shutdown().then(() => true as const), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

await main();
