import type { Hono } from "hono";
import type { Config } from "../config.ts";
import type { HubEnv } from "../services.ts";
import { createHubspotSandbox } from "./hubspot/sandbox.ts";

/** Mounts an emulated provider under /sandbox/{provider} for each provider that uses one. */
export function mountSandboxes(app: Hono<HubEnv>, config: Config): void {
  const hubspot = config.providers.hubspot;
  if (hubspot?.sandbox) {
    const sandbox = createHubspotSandbox({
      clientId: hubspot.clientId,
      clientSecret: hubspot.clientSecret,
      redirectUris: [hubspot.redirectUri],
    });
    app.route("/sandbox/hubspot", sandbox.app);
  }
}
