/**
 * The Deno entry: reads .env and the environment, picks the store (Upstash when configured,
 * else the embedded Deno KV store under .data/), serves static/ and the hub. The only file
 * besides the embedded store that touches Deno.*.
 */
import { createApp } from "./app.ts";
import { ConfigError, type EncryptionKey, type Env, loadConfig } from "./config.ts";
import { generateEncryptionKey } from "./crypto/sealer.ts";
import { withStaticFiles } from "./deno_static.ts";
import { parseDotenv } from "./dotenv.ts";
import { openKvStore } from "./store/kv_store.ts";
import type { Store } from "./store/store.ts";
import { createUpstashStore } from "./store/upstash_store.ts";

const DATA_DIR = ".data";

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
  const store: Store = config.upstash
    ? createUpstashStore(config.upstash)
    : await openKvStore(`${DATA_DIR}/hub.kv`);
  const hub = createApp({
    config,
    store,
    encryptionKeys: config.encryptionKeys ?? await developmentKeys(),
    sessionSecret: config.sessionSecret ?? await developmentSessionSecret(),
  });
  const root = withStaticFiles(hub);
  Deno.serve({
    port: config.port,
    onListen: () => {
      console.log(`Integrations hub on ${config.appUrl} (port ${config.port})`);
      console.log(`store: ${store.kind}; sandbox providers: ${config.sandbox ? "on" : "off"}`);
    },
  }, root.fetch);
}

await main();
