/**
 * Servers that misbehave on purpose, for fault tests: an Airtable sandbox whose token endpoint
 * or API can be made slow or hanging, and a proxy in front of the store layer that can be
 * paused (it accepts requests and answers none until resumed).
 */
import { generateEncryptionKey } from "../crypto/sealer.ts";
import { providerEnv } from "../provider_config.ts";
import { createAirtableSandbox } from "../sandbox/airtable/sandbox.ts";
import { TEST_API_KEY } from "./hub.ts";
import { type LocalServer, serveLocally } from "./local_server.ts";

export interface SlowAirtable {
  server: LocalServer;
  sandbox: ReturnType<typeof createAirtableSandbox>;
  /** Redirect URIs the sandbox accepts; push the hub's callback once its URL is known. */
  redirectUris: string[];
  /** Milliseconds each request waits before it is served (until the client gives up). */
  delays: { tokenMs: number; apiMs: number };
  /** The hub settings that point its Airtable app at this sandbox. */
  env: Record<string, string>;
  close(): Promise<void>;
}

const CLIENT_ID = "faulty-airtable";
const CLIENT_SECRET = "faulty-airtable-secret";

export function slowAirtable(): SlowAirtable {
  const redirectUris: string[] = [];
  const sandbox = createAirtableSandbox({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris,
  });
  const delays = { tokenMs: 0, apiMs: 0 };
  const server = serveLocally(async (request) => {
    const path = new URL(request.url).pathname;
    const ms = path.endsWith("/token")
      ? delays.tokenMs
      : path.startsWith("/v0/")
      ? delays.apiMs
      : 0;
    if (ms > 0 && !(await pause(ms, request.signal))) {
      return new Response(null, { status: 499 });
    }
    return await sandbox.app.fetch(request);
  });
  return {
    server,
    sandbox,
    redirectUris,
    delays,
    env: providerEnv("airtable", {
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      base: server.url,
    }),
    close: () => server.close(),
  };
}

/** Settings for a hub process with only the given providers and a real API key. */
export function hubEnv(extra: Record<string, string>): Record<string, string> {
  return {
    APP_ENV: "development",
    SANDBOX: "false",
    ENCRYPTION_KEYS: generateEncryptionKey("k1"),
    SESSION_SECRET: "faults-session-secret-0123456789abcdef",
    API_KEYS: TEST_API_KEY,
    ...extra,
  };
}

export interface PausableProxy {
  url: string;
  /** From now on requests are accepted and left unanswered. */
  pause(): void;
  /** Lets the held requests and all later ones through. */
  resume(): void;
  close(): Promise<void>;
}

/** Forwards every request to `target`, or holds it while paused (a hung store layer). */
export function pausableProxy(target: string): PausableProxy {
  let gate: PromiseWithResolvers<void> | null = null;
  const server = serveLocally(async (request) => {
    if (gate !== null) {
      const abandoned = new Promise<void>((resolve) =>
        request.signal.addEventListener("abort", () => resolve(), { once: true })
      );
      await Promise.race([gate.promise, abandoned]);
      if (request.signal.aborted) return new Response(null, { status: 499 });
    }
    const url = new URL(request.url);
    try {
      return await fetch(`${target}${url.pathname}${url.search}`, {
        method: request.method,
        headers: request.headers,
        body: request.body,
      });
    } catch {
      // The caller gave up while the request was held: its body is gone with it.
      return new Response(null, { status: 502 });
    }
  });
  return {
    url: server.url,
    pause: () => {
      gate ??= Promise.withResolvers<void>();
    },
    resume: () => {
      gate?.resolve();
      gate = null;
    },
    close: async () => {
      gate?.resolve();
      await server.close();
    },
  };
}

/** Waits `ms`; false when the signal fired first (the client went away). */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(true), ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve(false);
    }, { once: true });
  });
}
