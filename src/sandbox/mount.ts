import type { Hono } from "hono";
import type { Config } from "../config.ts";
import { PROVIDER_IDS, type ProviderId } from "../providers/ids.ts";
import type { HubEnv } from "../services.ts";
import { createAirtableSandbox } from "./airtable/sandbox.ts";
import { createHubspotSandbox } from "./hubspot/sandbox.ts";
import { createNotionSandbox } from "./notion/sandbox.ts";

type SandboxFactory = (
  app: { clientId: string; clientSecret: string; redirectUris: string[] },
) => { app: Hono };

/** Each emulated provider, built from the app settings the hub uses for it. */
const SANDBOXES: Record<ProviderId, SandboxFactory> = {
  hubspot: createHubspotSandbox,
  airtable: createAirtableSandbox,
  notion: createNotionSandbox,
};

/** Mounts an emulated provider under /sandbox/{provider} for each provider that uses one. */
export function mountSandboxes(app: Hono<HubEnv>, config: Config): void {
  for (const id of PROVIDER_IDS) {
    const provider = config.providers[id];
    if (!provider?.sandbox) continue;
    const sandbox = SANDBOXES[id]({
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      redirectUris: [provider.redirectUri],
    });
    app.route(`/sandbox/${id}`, sandbox.app);
  }
}
