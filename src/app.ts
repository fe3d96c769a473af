import { Hono } from "hono";
import { csrf } from "hono/csrf";
import { secureHeaders } from "hono/secure-headers";
import { identifyCaller } from "./auth/callers.ts";
import { type Config, ConfigError } from "./config.ts";
import { Connections } from "./connections/connections.ts";
import { TokenKeeper } from "./connections/token_keeper.ts";
import { Sealer } from "./crypto/sealer.ts";
import type { EncryptionKey } from "./config.ts";
import { boundedFetch } from "./http/bounded_fetch.ts";
import { errorFormat, handleError, notFoundHandler } from "./http/errors.tsx";
import { allowedMethods } from "./http/allowed_methods.ts";
import { noStore } from "./http/cache.ts";
import { limitRequestHead } from "./http/head_limit.ts";
import { ItemsService } from "./items/list_items.ts";
import { CursorSeal } from "./sync/sealed_cursor.ts";
import { Pacer } from "./pacing/pacer.ts";
import { SyncService } from "./sync/service.ts";
import { jsonLogger, type Logger } from "./log.ts";
import { requestLog } from "./http/request_log.ts";
import { browserRoutes } from "./routes/browser.tsx";
import { integrationsApi } from "./routes/integrations_api.ts";
import { itemsUi } from "./routes/items_ui.tsx";
import { serviceApi } from "./routes/service_api.ts";
import { apiDocs, apiDocument } from "./routes/api_docs.tsx";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { HubEnv, Services } from "./services.ts";
import type { Store } from "./store/store.ts";
import { countedFetch, countedStore, SubrequestCounter } from "./sync/subrequests.ts";
import type { Fetch } from "./contract/calls.ts";

export interface AppOptions {
  config: Config;
  store: Store;
  /** The keys that seal tokens (config's, or the Deno entry's generated development keys). */
  encryptionKeys: EncryptionKey[];
  /** Signs session cookies (config's, or the Deno entry's generated development secret). */
  sessionSecret: string;
  log?: Logger;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Refresh access tokens this long before they expire. */
  refreshMarginMs?: number;
  /** Sends the hub's requests to providers; the runtime's fetch unless given. */
  fetch?: Fetch;
  /** Most steps one sync run takes (tests of resuming); default no bound. */
  syncStepsPerRun?: number | null;
  /**
   * Subrequests a sync run started by a request may spend (the Worker's share of the request's
   * invocation); default no bound.
   */
  syncRunSubrequests?: number | null;
  /**
   * Mounts the emulated providers when SANDBOX is on: src/sandbox/mount.ts's, given by the
   * entries that serve them, so a build without them ships no emulator code.
   */
  mountSandboxes?: (app: Hono<HubEnv>, config: Config, store: Store) => void;
}

/**
 * Five minutes: longer than any single listing's provider calls take, so a token is never
 * used right at its expiry, and short enough to refresh HubSpot's 30-minute tokens rarely.
 */
export const DEFAULT_REFRESH_MARGIN_MS = 5 * 60 * 1000;

/** Builds the whole hub from its parts; the Deno and Workers entries both call this. */
export function createApp(options: AppOptions): Hono<HubEnv> {
  return createHub(options).app;
}

/** The hub and the services behind it (the Deno entry releases the keeper's locks on exit). */
export function createHub(options: AppOptions): { app: Hono<HubEnv>; services: Services } {
  const { config } = options;
  // Every store command and provider call counted: a Worker's sync runs within its subrequests.
  const subrequests = new SubrequestCounter();
  const store = countedStore(options.store, subrequests);
  if (config.sandbox && options.mountSandboxes === undefined) {
    throw new ConfigError([
      "SANDBOX: this build has no sandbox providers; give the providers client ids and secrets, or run the build with them (src/worker_sandbox.ts on Workers)",
    ]);
  }
  const clock = options.clock ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const log = options.log ?? jsonLogger();
  const sealer = new Sealer(options.encryptionKeys);
  const connections = new Connections(store, sealer);
  const keeper = new TokenKeeper({
    store,
    connections,
    clock,
    sleep,
    refreshMarginMs: options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS,
    refreshTimeoutMs: config.limits.providerCallTimeoutMs,
    log,
  });
  // One per hub: listings, syncs and connect-time calls all take their slots from it.
  const pacer = new Pacer({ store, clock, sleep, shareRoundTrips: store.kind === "upstash" });
  const items = new ItemsService({
    store,
    connections,
    keeper,
    clock,
    sleep,
    callBudget: config.providerCallBudget,
    callTimeoutMs: config.limits.providerCallTimeoutMs,
    rateLimitWaitMs: config.limits.rateLimitWaitMs,
    pacer,
  });
  const services: Services = {
    config,
    store,
    connections,
    keeper,
    items,
    sync: new SyncService({
      store,
      items,
      clock,
      log,
      background: config.syncIntervalMs !== null,
      leaseMs: config.syncLeaseMs,
      stepsPerRun: options.syncStepsPerRun ?? null,
      runSubrequests: options.syncRunSubrequests ?? null,
      subrequests,
    }),
    cursors: new CursorSeal(sealer),
    oauth: {
      store,
      clock,
      pacer,
      sleep,
      callTimeoutMs: config.limits.providerCallTimeoutMs,
      rateLimitWaitMs: config.limits.rateLimitWaitMs,
      log,
    },
    session: {
      store,
      secret: options.sessionSecret,
      secure: config.appUrl.startsWith("https://"),
      clock,
    },
    log,
    clock,
    // Looked up on each call, so the runtime's fetch is used as it is at that moment.
    fetch: countedFetch(
      boundedFetch(
        options.fetch ?? ((input, init) => fetch(input, init)),
        config.limits.providerTryTimeoutMs,
      ),
      subrequests,
    ),
  };

  const app = new Hono<HubEnv>();
  app.use((c, next) => {
    c.set("services", services);
    return next();
  });
  app.use(errorFormat());
  app.use(requestLog(clock));
  app.use(noStore());
  app.use(secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", "data:"],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
      formAction: ["'self'", ...authorizeOrigins(config)],
    },
    referrerPolicy: "no-referrer",
    // A browser that honours HSTS over plain http would pin localhost to https for a year.
    strictTransportSecurity: config.appUrl.startsWith("https://"),
  }));
  app.onError(handleError);
  app.notFound(notFoundHandler((path) => allowedMethods(app.routes, path)));
  // The sandboxes stand in for other sites: they see provider-style callers (bearer tokens,
  // server-to-server form posts), so they sit before the hub's own caller and CSRF checks.
  // (Their own store commands are not the hub's: they get the store uncounted.)
  if (config.sandbox) options.mountSandboxes?.(app, config, options.store);
  app.use(limitRequestHead());
  // CSRF rides on ambient cookies: requests with their own Authorization header or without
  // cookies are not checked, except the sign-in form (login CSRF).
  const checkOrigin = csrf({ origin: new URL(config.appUrl).origin });
  app.use((c, next) => {
    const ambient = c.req.header("Cookie") !== undefined || c.req.path === "/login";
    return !c.req.header("Authorization") && ambient ? checkOrigin(c, next) : next();
  });
  app.use(identifyCaller());

  const api = new OpenAPIHono<HubEnv>();
  api.route("/", serviceApi());
  api.route("/integrations", integrationsApi());
  app.route("/", browserRoutes());
  app.route("/", itemsUi());
  app.route("/", api);
  app.route("/", apiDocs(apiDocument(api, config)));
  return { app, services };
}

/** A connect form redirects to the provider; CSP's form-action must allow those origins. */
function authorizeOrigins(config: Config): string[] {
  return [
    ...new Set(Object.values(config.providers).map((p) => new URL(p.authorizeUrl).origin)),
  ];
}
