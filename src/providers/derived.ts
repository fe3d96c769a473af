/**
 * What the hub derives from a provider's id and real endpoints, so that no other place spells
 * them: its environment variables' prefix, and where its sandbox serves the same endpoints.
 */
import type { Endpoints } from "./spec.ts";

/** `<ID>` of the provider's variables: HUBSPOT_CLIENT_ID, HUBSPOT_API_URL, ... */
export function envPrefix(id: string): string {
  return id.toUpperCase();
}

/** Where the hub mounts a provider's sandbox. */
export function sandboxMount(id: string): string {
  return `/sandbox/${id}`;
}

/** The real endpoints' paths, served under `base` (a sandbox, mounted or on its own port). */
export function endpointsAt(real: Endpoints, base: string): Endpoints {
  const at = (url: string) => base + new URL(url).pathname.replace(/\/+$/, "");
  return {
    authorizeUrl: at(real.authorizeUrl),
    tokenUrl: at(real.tokenUrl),
    apiUrl: at(real.apiUrl),
  };
}
