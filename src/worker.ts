/**
 * The Cloudflare Workers entry: builds the same app as the Deno entry from the Worker's vars
 * and secrets, with the Upstash store (the embedded store does not exist on Workers), and
 * serves static/ through the assets binding.
 */
import type { Hono } from "hono";
import { createApp } from "./app.ts";
import { ConfigError, type Env, loadConfig } from "./config.ts";
import { errorBody } from "./errors.ts";
import type { HubEnv } from "./services.ts";
import { createUpstashStore } from "./store/upstash_store.ts";

/** The part of the Workers static assets binding the hub uses. */
interface AssetsBinding {
  fetch(request: Request): Promise<Response>;
}

type WorkerBindings = { ASSETS?: AssetsBinding } & Record<string, unknown>;

/** One app per isolate, rebuilt only if the bindings change. */
let built: { source: string; app: Hono<HubEnv> } | { source: string; problems: string[] } | null =
  null;

function build(bindings: WorkerBindings): typeof built & object {
  const env: Env = Object.fromEntries(
    Object.entries(bindings).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
  const source = JSON.stringify(env);
  if (built?.source === source) return built;
  try {
    const config = loadConfig(env);
    const problems: string[] = [];
    if (config.upstash === null) {
      problems.push("UPSTASH_REDIS_REST_URL / UPSTASH_REDIS_REST_TOKEN: required on Workers");
    }
    if (config.encryptionKeys === null) problems.push("ENCRYPTION_KEYS: required on Workers");
    if (config.sessionSecret === null) problems.push("SESSION_SECRET: required on Workers");
    if (problems.length > 0 || config.upstash === null) throw new ConfigError(problems);
    const app = createApp({
      config,
      store: createUpstashStore(config.upstash),
      encryptionKeys: config.encryptionKeys!,
      sessionSecret: config.sessionSecret!,
    });
    built = { source, app };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    built = { source, problems: error.problems };
  }
  return built;
}

export default {
  async fetch(request: Request, bindings: WorkerBindings): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/static/") && bindings.ASSETS) {
      url.pathname = url.pathname.slice("/static".length);
      return await bindings.ASSETS.fetch(new Request(url, request));
    }
    const current = build(bindings);
    if ("problems" in current) {
      // A misconfigured Worker says what is wrong instead of crashing on every request.
      return Response.json(
        errorBody(
          "invalid_configuration",
          `The hub is not configured: ${current.problems.join("; ")}.`,
        ),
        { status: 503 },
      );
    }
    return await current.app.fetch(request);
  },
};
