import type { Hono } from "hono";
import type { Config } from "../config.ts";
import { sandboxMount } from "../providers/derived.ts";
import { PROVIDER_IDS, type ProviderId } from "../providers/registry.ts";
import type { HubEnv } from "../services.ts";
import type { Store } from "../store/store.ts";
import { createAirtableSandbox } from "./airtable/sandbox.ts";
import { createHubspotSandbox } from "./hubspot/sandbox.ts";
import { createNotionSandbox } from "./notion/sandbox.ts";

type SandboxFactory = (options: {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  store: Store;
  accessTokenTtlSeconds?: number;
}) => { app: Hono };

/**
 * Each provider's emulator, built from the app settings the hub uses for it: keyed by the
 * registry's ids, so a provider without one does not compile.
 */
const SANDBOXES = {
  hubspot: createHubspotSandbox,
  airtable: createAirtableSandbox,
  notion: createNotionSandbox,
} satisfies Record<ProviderId, SandboxFactory>;

/**
 * Mounts an emulated provider under /sandbox/{provider} for each provider that uses one. They
 * keep what they hand out in the hub's store (under `sandbox:`), so sandbox connections
 * survive a restart and work from any process or isolate on that store.
 */
export function mountSandboxes(app: Hono<HubEnv>, config: Config, store: Store): void {
  for (const id of PROVIDER_IDS) {
    const provider = config.providers[id];
    if (!provider?.sandbox) continue;
    const sandbox = SANDBOXES[id]({
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      redirectUris: [provider.redirectUri],
      store,
      accessTokenTtlSeconds: config.sandboxTokenTtlSeconds ?? undefined,
    });
    app.route(sandboxMount(id), sandbox.app);
  }
}
