/**
 * The hub facing one emulated provider on a port of its own, as it would face the real one:
 * configured through the provider's *_URL variables, with a signed-in test browser that can
 * go through the provider's consent page. Tests keep the sandbox's control handle.
 */
import type { Hono } from "hono";
import assert from "node:assert/strict";
import { providerEnv } from "../provider_config.ts";
import type { ProviderId } from "../providers/registry.ts";
import type { EncryptionKey } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/store.ts";
import { decideOnConsent, TestBrowser } from "./browser.ts";
import { memoryLogger, type RunningHub, startHub } from "./hub.ts";
import { serveLocally } from "./local_server.ts";

export const PROVIDER_CLIENT_SECRET = "provider-client-secret-for-tests";

/** An answer of the hub; `json()` is loosely typed because tests probe it field by field. */
export interface HubAnswer {
  status: number;
  text: string;
  location: string | null;
  // deno-lint-ignore no-explicit-any
  json(): any;
}

export interface ProviderHub<Control> {
  hub: RunningHub;
  control: Control;
  providerUrl: string;
  log: Logger & { lines: string[] };
  /** Every answer body the hub gave through `call`, to search for secrets. */
  answers: string[];
  browser: TestBrowser;
  call(path: string, init?: RequestInit): Promise<HubAnswer>;
  /** Connect (or reconnect) through the consent page; answers the hub's callback response. */
  connect(
    decision?: "approve" | "deny",
  ): Promise<{ status: number; location: string | null; callback: URL }>;
  close(): Promise<void>;
}

export interface ProviderHubOptions<Control> {
  provider: ProviderId;
  makeSandbox: (
    app: { clientId: string; clientSecret: string; redirectUris: string[] },
  ) => { app: Hono; control: Control };
  store: Store;
  env?: Record<string, string>;
  user?: string;
  encryptionKeys?: EncryptionKey[];
  syncStepsPerRun?: number | null;
  syncRunSubrequests?: number | null;
}

export async function startProviderHub<Control>(
  options: ProviderHubOptions<Control>,
): Promise<ProviderHub<Control>> {
  const redirectUris: string[] = [];
  const sandbox = options.makeSandbox({
    clientId: "cid",
    clientSecret: PROVIDER_CLIENT_SECRET,
    redirectUris,
  });
  const server = serveLocally(sandbox.app.fetch);
  const providerUrl = server.url;
  const log = memoryLogger();
  const hub = startHub({
    store: options.store,
    encryptionKeys: options.encryptionKeys,
    syncStepsPerRun: options.syncStepsPerRun,
    syncRunSubrequests: options.syncRunSubrequests,
    log,
    env: {
      SANDBOX: "false",
      ...providerEnv(options.provider, {
        clientId: "cid",
        clientSecret: PROVIDER_CLIENT_SECRET,
        base: providerUrl,
      }),
      ...options.env,
    },
  });
  redirectUris.push(`${hub.url}/integrations/${options.provider}/oauth2callback`);
  const browser = new TestBrowser();
  const login = await browser.postForm(`${hub.url}/login`, {
    user_id: options.user ?? "alice",
    org_id: "acme",
  });
  assert.equal(login.status, 303);
  const answers: string[] = [];

  const call: ProviderHub<Control>["call"] = async (path, init = {}) => {
    const response = await browser.request(`${hub.url}${path}`, init);
    const text = await response.text();
    answers.push(text, JSON.stringify([...response.headers]));
    return {
      status: response.status,
      text,
      location: response.headers.get("location"),
      json: () => JSON.parse(text),
    };
  };

  const connect: ProviderHub<Control>["connect"] = async (decision = "approve") => {
    const start = await browser.postForm(`${hub.url}/integrations/${options.provider}/connect`, {});
    const authorizeUrl = start.headers.get("location")!;
    assert.ok(authorizeUrl.startsWith(providerUrl), authorizeUrl);
    const callback = await decideOnConsent(authorizeUrl, decision);
    const done = await call(`${callback.pathname}${callback.search}`);
    return { status: done.status, location: done.location, callback };
  };

  return {
    hub,
    control: sandbox.control,
    providerUrl,
    log,
    answers,
    browser,
    call,
    connect,
    close: async () => {
      await hub.close();
      await server.close();
    },
  };
}
