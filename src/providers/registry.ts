import { ProviderNotConfiguredError, UnknownProviderError } from "../errors.ts";
import type { Config, ProviderConfig } from "../config.ts";
import { airtable } from "./airtable.ts";
import { hubspot } from "./hubspot.ts";
import { notion } from "./notion.ts";
import { isProviderId, PROVIDER_IDS, type ProviderId } from "./ids.ts";
import type { Fetch } from "../contract/calls.ts";
import type { ProviderSpec } from "./spec.ts";

/** Every provider the hub can talk to: adding one means its file, its id, and this line. */
export const PROVIDERS = { hubspot, airtable, notion } satisfies Record<ProviderId, ProviderSpec>;

/** A provider app of this deployment, with the fetch every call to it goes through. */
export type ProviderApp = ProviderConfig & { fetch: Fetch };

/** A provider with its spec and the app it uses in this deployment. */
export interface ActiveProvider {
  spec: ProviderSpec;
  app: ProviderApp;
}

/** What resolving a provider needs: the deployment's settings and its fetch. */
export interface ProviderDeps {
  config: Config;
  fetch: Fetch;
}

/** The providers that have both a spec and an app, in display order. */
export function activeProviders({ config, fetch }: ProviderDeps): ActiveProvider[] {
  return PROVIDER_IDS.flatMap((id) => {
    const app = config.providers[id];
    return app ? [{ spec: PROVIDERS[id], app: { ...app, fetch } }] : [];
  });
}

/** Resolves a provider named in a URL, or throws the contract's error for it. */
export function resolveProvider({ config, fetch }: ProviderDeps, name: string): ActiveProvider {
  if (!isProviderId(name)) throw new UnknownProviderError(name);
  const spec = PROVIDERS[name];
  const app = config.providers[name];
  if (!app) {
    throw new ProviderNotConfiguredError(
      `${spec.displayName} is not configured: set ${name.toUpperCase()}_CLIENT_ID and ${name.toUpperCase()}_CLIENT_SECRET, or turn SANDBOX on in development.`,
    );
  }
  return { spec, app: { ...app, fetch } };
}
