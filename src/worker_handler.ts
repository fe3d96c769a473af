/**
 * What both Workers entries run: builds the same app as the Deno entry from the Worker's vars
 * and secrets, with the Upstash store (the embedded store does not exist on Workers), and
 * serves static/ through the assets binding. See README "Deploying to Workers".
 */
import type { ExecutionContext, Hono } from "hono";
import { type AppOptions, createHub } from "./app.ts";
import { schedulerFor, type SyncScheduler } from "./sync/scheduler.ts";
import { type Config, ConfigError, type Env, loadConfig } from "./config.ts";
import { errorBody } from "./errors.ts";
import { STATIC_CACHE_CONTROL } from "./http/static_cache.ts";
import type { Fetch } from "./contract/calls.ts";
import type { HubEnv } from "./services.ts";
import { createUpstashStore } from "./store/upstash_store.ts";

/** The part of the Workers static assets binding the hub uses. */
interface AssetsBinding {
  fetch(request: Request): Promise<Response>;
}

type WorkerBindings = { ASSETS?: AssetsBinding } & Record<string, unknown>;

/**
 * Provider page calls per items request on Workers when PROVIDER_CALL_BUDGET is unset. Each
 * call costs at most one pacer round trip to Upstash besides itself (a listing's concurrent
 * calls share one), so 20 calls are at most 40 subrequests, leaving 10 of the free plan's 50
 * for the request's own store commands (sync status, connection, cursor, a token refresh).
 */
const WORKER_CALL_BUDGET = 20;
/**
 * Subrequests one invocation may send on the free plan (Upstash commands and provider calls
 * alike). A Cron Trigger's syncs spend them all; a sync a request starts (connecting, Sync now)
 * spends what the request leaves, WORKER_SYNC_IN_REQUEST. A sync that does not finish within
 * them goes on at the next Cron Trigger from its checkpoint.
 */
export const WORKER_SUBREQUESTS = 50;
/**
 * A request's own share: an OAuth callback (state, token exchange, account, connection,
 * registry) or a Sync now (status, connection) stays well under 20.
 */
const WORKER_SYNC_IN_REQUEST = WORKER_SUBREQUESTS - 20;

type Built =
  | { app: Hono<HubEnv>; config: Config; scheduler: SyncScheduler | null }
  | { problems: string[] };

/** What an entry adds to the app: the sandbox providers, or nothing. */
export type WorkerOptions = Pick<AppOptions, "mountSandboxes">;

/** The Worker's handlers: one app per isolate, rebuilt only if the bindings change. */
export function workerHandler(options: WorkerOptions): {
  fetch(request: Request, bindings: WorkerBindings, ctx: ExecutionContext): Promise<Response>;
  scheduled(controller: unknown, bindings: WorkerBindings, ctx: ExecutionContext): void;
} {
  let built: { source: string; result: Built } | null = null;

  /** Builds the app from the bindings, or lists every setting that stops it. */
  const buildFromBindings = (bindings: WorkerBindings): Built => {
    const env: Env = Object.fromEntries(
      Object.entries(bindings).filter((e): e is [string, string] => typeof e[1] === "string"),
    );
    const source = JSON.stringify([env, bindings.ASSETS !== undefined]);
    if (built?.source === source) return built.result;
    let result: Built;
    try {
      result = createWorkerApp(env, bindings, options);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      result = { problems: error.problems };
    }
    built = { source, result };
    return result;
  };

  return {
    async fetch(request, bindings, ctx) {
      const current = buildFromBindings(bindings);
      if ("problems" in current) {
        // A misconfigured Worker says what is wrong instead of crashing on every request.
        return Response.json(
          errorBody(
            "invalid_configuration",
            `The hub is not configured: ${current.problems.join("; ")}. ` +
              "Set them with `wrangler secret put NAME` (secrets) or in wrangler.toml [vars].",
          ),
          { status: 503, headers: { "Cache-Control": "no-store" } },
        );
      }
      const asset = await staticAsset(request, bindings.ASSETS!);
      return asset ?? await current.app.fetch(request, bindings, ctx);
    },

    /**
     * The Cron Trigger (wrangler.toml [triggers]): runs what is due within the invocation's
     * subrequests (WORKER_SUBREQUESTS), store commands, provider calls and the pacer's round
     * trips counted together; a large first sync completes across invocations from its
     * checkpoint.
     */
    scheduled(_controller, bindings, ctx) {
      const current = buildFromBindings(bindings);
      if ("problems" in current || current.scheduler === null) return;
      ctx.waitUntil(current.scheduler.tick());
    },
  };
}

/** What the Deno entry can default (store, keys, secret, URL) must be given on Workers. */
function createWorkerApp(env: Env, bindings: WorkerBindings, options: WorkerOptions): Built {
  const problems: string[] = [];
  if (!env.APP_URL?.trim()) {
    problems.push("APP_URL: required on Workers (the Worker's public URL, https in production)");
  }
  if (!bindings.ASSETS) {
    problems.push(
      'ASSETS: the static assets binding is missing (wrangler.toml [assets] binding = "ASSETS")',
    );
  }
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError([...error.problems, ...problems]);
  }
  if (config.upstash === null) {
    problems.push(
      "UPSTASH_REDIS_REST_URL / UPSTASH_REDIS_REST_TOKEN: required on Workers (no embedded store)",
    );
  }
  if (config.encryptionKeys === null) problems.push("ENCRYPTION_KEYS: required on Workers");
  if (config.sessionSecret === null) problems.push("SESSION_SECRET: required on Workers");
  if (problems.length > 0 || config.upstash === null) throw new ConfigError(problems);
  const store = createUpstashStore({ ...config.upstash, timeoutMs: config.limits.storeTimeoutMs });
  const { app, services } = createHub({
    // Each items request stays well inside a Worker's subrequest limit (50 on the free plan,
    // Upstash calls included) unless PROVIDER_CALL_BUDGET says otherwise.
    config: { ...config, providerCallBudget: config.providerCallBudget ?? WORKER_CALL_BUDGET },
    store,
    encryptionKeys: config.encryptionKeys!,
    sessionSecret: config.sessionSecret!,
    fetch: config.sandbox ? sandboxLoopback(new URL(config.appUrl).origin, () => app) : undefined,
    syncRunSubrequests: WORKER_SYNC_IN_REQUEST,
    mountSandboxes: options.mountSandboxes,
  });
  return { app, config, scheduler: schedulerFor(services, WORKER_SUBREQUESTS) };
}

/**
 * The sandbox providers live inside the app, and the app calls them through APP_URL like any
 * provider. Locally workerd can fetch its own URL, but on Cloudflare a Worker's subrequest to
 * its own hostname is not routed back to it by default (same-zone subrequests go to the origin,
 * unless the global_fetch_strictly_public flag is set). So while the sandboxes are mounted
 * (never in production) the app's fetch hands same-origin calls under /sandbox/ to the app in
 * process: no network hop, no subrequest. Every other call goes out unchanged.
 */
function sandboxLoopback(origin: string, app: () => Hono<HubEnv>): Fetch {
  return (input, init) =>
    sandboxUrl(input, origin)
      ? Promise.resolve(app().fetch(new Request(input, init)))
      : fetch(input, init);
}

function sandboxUrl(input: RequestInfo | URL, origin: string): boolean {
  const url = URL.parse(input instanceof Request ? input.url : input);
  return url !== null && url.origin === origin && url.pathname.startsWith("/sandbox/");
}

/** Serves /static/* from the assets directory (static/), where the Deno entry serves static/. */
async function staticAsset(request: Request, assets: AssetsBinding): Promise<Response | null> {
  const url = new URL(request.url);
  if (!url.pathname.startsWith("/static/")) return null;
  url.pathname = url.pathname.slice("/static".length);
  const response = await assets.fetch(new Request(url, request));
  // A missing file falls through to the app, which answers 404 as it does on Deno.
  if (response.status === 404) {
    await response.body?.cancel();
    return null;
  }
  // The assets layer sends an ETag and answers If-None-Match; the hub says how long to keep it.
  const cached = new Response(response.body, response);
  cached.headers.set("Cache-Control", STATIC_CACHE_CONTROL);
  return cached;
}
