import { ProviderNotConfiguredError, UnknownProviderError } from "../errors.ts";
import type { Fetch } from "../contract/calls.ts";
import { airtable } from "./airtable.ts";
import { envPrefix } from "./derived.ts";
import { hubspot } from "./hubspot.ts";
import { notion } from "./notion.ts";
import type { ProviderConfig, ProviderSpec } from "./spec.ts";

/**
 * Every provider the hub can talk to, in the order the dashboard shows them. Adding one is its
 * spec module, imported above and named on this line; everything that lists providers (config's
 * variables, the sandboxes, routes, messages, tests) is derived from here.
 */
export const PROVIDERS = registry({ hubspot, airtable, notion });

export type ProviderId = keyof typeof PROVIDERS;

/** The providers' ids in display order, as a non-empty tuple (what z.enum takes). */
export const PROVIDER_IDS = Object.keys(PROVIDERS) as [ProviderId, ...ProviderId[]];

export function isProviderId(value: string): value is ProviderId {
  return Object.hasOwn(PROVIDERS, value);
}

/** Holds the specs as given; the compiler checks each is filed under its own id. */
function registry<const T extends { [K in keyof T]: ProviderSpec<K & string> }>(specs: T): T {
  return specs;
}

/** A provider app of this deployment, with the fetch every call to it goes through. */
export type ProviderApp = ProviderConfig & { fetch: Fetch };

/** A provider with its spec and the app it uses in this deployment. */
export interface ActiveProvider {
  spec: ProviderSpec<ProviderId>;
  app: ProviderApp;
}

/** What resolving a provider needs: the deployment's provider apps and its fetch. */
export interface ProviderDeps {
  config: { providers: Partial<Record<ProviderId, ProviderConfig>> };
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
  if (!isProviderId(name)) throw new UnknownProviderError(name, PROVIDER_IDS);
  const spec = PROVIDERS[name];
  const app = config.providers[name];
  if (!app) {
    const p = envPrefix(name);
    throw new ProviderNotConfiguredError(
      `${spec.displayName} is not configured: set ${p}_CLIENT_ID and ${p}_CLIENT_SECRET, or turn SANDBOX on in development.`,
    );
  }
  return { spec, app: { ...app, fetch } };
}
