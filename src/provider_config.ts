/**
 * Each provider's app from the environment, under names derived from its id (<ID>_CLIENT_ID,
 * _CLIENT_SECRET, _REDIRECT_URI, _AUTHORIZE_URL, _TOKEN_URL, _API_URL) with its spec's real
 * endpoints as defaults, or its sandbox's when SANDBOX is on and it has no credentials.
 */
import { z } from "zod";
import { endpointsAt, envPrefix, sandboxMount } from "./providers/derived.ts";
import { PROVIDER_IDS, type ProviderId, PROVIDERS } from "./providers/registry.ts";
import type { Endpoints, ProviderConfig } from "./providers/spec.ts";

export const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

const URL_SETTINGS = ["REDIRECT_URI", "AUTHORIZE_URL", "TOKEN_URL", "API_URL"] as const;

/** Whether any provider has a client id set (then SANDBOX defaults to off). */
export function anyProviderCredentials(env: Record<string, string | undefined>): boolean {
  return PROVIDER_IDS.some((id) => env[`${envPrefix(id)}_CLIENT_ID`] !== undefined);
}

/** The configured providers; each bad setting is added to `problems`. */
export function resolveProviders(
  env: Record<string, string | undefined>,
  appUrl: string,
  sandbox: boolean,
  problems: string[],
): Partial<Record<ProviderId, ProviderConfig>> {
  const providers: Partial<Record<ProviderId, ProviderConfig>> = {};
  for (const id of PROVIDER_IDS) {
    const resolved = resolveProvider(id, env, appUrl, sandbox, problems);
    if (resolved) providers[id] = resolved;
  }
  return providers;
}

function resolveProvider(
  id: ProviderId,
  env: Record<string, string | undefined>,
  appUrl: string,
  sandbox: boolean,
  problems: string[],
): ProviderConfig | null {
  const p = envPrefix(id);
  const clientId = env[`${p}_CLIENT_ID`];
  const clientSecret = env[`${p}_CLIENT_SECRET`];
  const redirectUri = env[`${p}_REDIRECT_URI`] ?? `${appUrl}/integrations/${id}/oauth2callback`;
  for (const name of URL_SETTINGS) {
    const value = env[`${p}_${name}`];
    if (value !== undefined && !httpUrl.safeParse(value).success) {
      problems.push(`${p}_${name}: must be an http(s) URL`);
    }
  }
  if (clientId !== undefined) {
    if (clientSecret === undefined) {
      problems.push(`${p}_CLIENT_SECRET: required when ${p}_CLIENT_ID is set`);
    }
    const defaults = PROVIDERS[id].endpoints;
    return {
      clientId,
      clientSecret: clientSecret ?? "",
      redirectUri,
      authorizeUrl: env[`${p}_AUTHORIZE_URL`] ?? defaults.authorizeUrl,
      tokenUrl: env[`${p}_TOKEN_URL`] ?? defaults.tokenUrl,
      apiUrl: (env[`${p}_API_URL`] ?? defaults.apiUrl).replace(/\/+$/, ""),
      sandbox: false,
    };
  }
  if (!sandbox) return null;
  return {
    clientId: `sandbox-${id}-client`,
    clientSecret: `sandbox-${id}-secret`,
    redirectUri,
    ...sandboxEndpoints(id, appUrl),
    sandbox: true,
  };
}

/** Where the hub at `appUrl` serves a provider's sandbox endpoints. */
export function sandboxEndpoints(id: ProviderId, appUrl: string): Endpoints {
  return endpointsAt(PROVIDERS[id].endpoints, appUrl + sandboxMount(id));
}

/**
 * The variables that point the hub at a provider app served from `base` (a sandbox on a port
 * of its own) as if it were the real one: what tests and benches hand a hub process.
 */
export function providerEnv(
  id: ProviderId,
  app: { clientId: string; clientSecret: string; base: string },
): Record<string, string> {
  const p = envPrefix(id);
  const endpoints = endpointsAt(PROVIDERS[id].endpoints, app.base);
  return {
    [`${p}_CLIENT_ID`]: app.clientId,
    [`${p}_CLIENT_SECRET`]: app.clientSecret,
    [`${p}_AUTHORIZE_URL`]: endpoints.authorizeUrl,
    [`${p}_TOKEN_URL`]: endpoints.tokenUrl,
    [`${p}_API_URL`]: endpoints.apiUrl,
  };
}
