/**
 * HubSpot as data: endpoints, OAuth style, limits; its account from the token answer. The CRM
 * listing is in hubspot_crm.ts, the change feed in hubspot_feed.ts.
 */
import { z } from "zod";
import type { ProviderApi } from "../contract/calls.ts";
import { ProviderError, ProviderRateLimitedError, ProviderStatusError } from "../errors.ts";
import { fetchPage, OBJECT_TYPES } from "./hubspot_crm.ts";
import { changeFeed } from "./hubspot_feed.ts";
import type { AccountInfo, ProviderSpec } from "./spec.ts";

const tokenSchema = z.object({
  access_token: z.string().min(1),
  hub_id: z.number().int().optional(),
  scopes: z.array(z.string()).optional(),
});

const metadataSchema = z.object({
  hub_id: z.number().int(),
  hub_domain: z.string().optional(),
  scopes: z.array(z.string()).optional(),
});

export const hubspot: ProviderSpec<"hubspot"> = {
  id: "hubspot",
  displayName: "HubSpot",
  description: "Contacts, companies and deals from your CRM.",
  itemTypes: ["contact", "company", "deal"],
  endpoints: {
    authorizeUrl: "https://app.hubspot.com/oauth/authorize",
    tokenUrl: "https://api.hubapi.com/oauth/v1/token",
    apiUrl: "https://api.hubapi.com",
  },
  oauth: {
    // `oauth` must be listed or HubSpot refuses the install (scope mismatch).
    scopes: [
      "oauth",
      "crm.objects.contacts.read",
      "crm.objects.companies.read",
      "crm.objects.deals.read",
    ],
    pkce: false,
    clientAuth: "form_body",
    tokenBody: "form",
    authorizeParams: {},
    tokenHeaders: {},
    rotatesRefreshTokens: false,
  },
  apiHeaders: {},
  // 100 requests per 10 s per installed account (hub_id), whoever installed it; OAuth apps may
  // be given more, which X-HubSpot-RateLimit-Max says. CRM search has its own 5 per second per
  // account and counts against the 10-second limit too. HubSpot sends no Retry-After.
  rateLimits: {
    rules: [
      {
        name: "search",
        requests: 5,
        windowMs: 1000,
        per: "account",
        accountField: "hub_id",
        appliesTo: { method: "POST", pathPattern: /^\/crm\/v3\/objects\/[^/]+\/search$/ },
        penaltyMs: 1000,
        marginMs: 50,
      },
      {
        name: "portal",
        // HubSpot's 100 (or what X-HubSpot-RateLimit-Max states). A listing's chains start
        // their calls in bursts, which reach HubSpot spread out: 1% of the window, and the
        // pacer widens slots by how unevenly recent bursts were answered (CallTimes).
        requests: 100,
        windowMs: 10_000,
        marginMs: 100,
        per: "account",
        accountField: "hub_id",
        penaltyMs: 10_000,
      },
    ],
    honoursRetryAfter: false,
    statuses: [429],
    limitHeader: { header: "X-HubSpot-RateLimit-Max", rule: "portal" },
  },
  maxPageSize: 100,
  readAccount,
  startChains: () => Object.keys(OBJECT_TYPES).map((chain) => ({ chain, cursor: null })),
  fetchPage,
  changeFeed,
  revoke: async (tokens, app) => {
    if (tokens.refreshToken === null) return;
    const response = await app.fetch(
      `${app.apiUrl}/oauth/v1/refresh-tokens/${encodeURIComponent(tokens.refreshToken)}`,
      { method: "DELETE", signal: AbortSignal.timeout(20_000) },
    );
    await response.body?.cancel();
    if (!response.ok && response.status !== 404) {
      throw new ProviderError(`HubSpot did not revoke the grant (HTTP ${response.status}).`);
    }
  },
};

/**
 * The token answer carries hub_id since 2025; older answers need the token metadata call,
 * which puts the token in a URL path, so it is made only when hub_id is missing.
 */
async function readAccount(data: Record<string, unknown>, api: ProviderApi): Promise<AccountInfo> {
  const token = tokenSchema.safeParse(data);
  if (!token.success) throw new ProviderError("HubSpot's token answer was not understood.");
  let hubId = token.data.hub_id;
  let scopes = token.data.scopes;
  if (hubId === undefined) {
    const meta = await fetchMetadata(api, token.data.access_token);
    hubId = meta.hub_id;
    scopes = scopes ?? meta.scopes;
  }
  return {
    account: { id: String(hubId), name: `HubSpot account ${hubId}` },
    extra: { hub_id: String(hubId) },
    scopes: scopes ?? [],
  };
}

/** Paced like every call; the token in its path never reaches a log line. */
async function fetchMetadata(
  api: ProviderApi,
  accessToken: string,
): Promise<z.infer<typeof metadataSchema>> {
  let answer: unknown;
  try {
    answer = await api.call({
      method: "GET",
      path: `/oauth/v1/access-tokens/${encodeURIComponent(accessToken)}`,
      logPath: "/oauth/v1/access-tokens/{token}",
    }, z.unknown());
  } catch (error) {
    if (error instanceof ProviderStatusError) {
      throw new ProviderError(`HubSpot's token metadata failed (HTTP ${error.httpStatus}).`);
    }
    if (error instanceof ProviderRateLimitedError) throw error;
    throw new ProviderError(
      "HubSpot's token metadata could not be reached; try connecting again.",
      { cause: error },
    );
  }
  const parsed = metadataSchema.safeParse(answer);
  if (!parsed.success) throw new ProviderError("HubSpot's token metadata failed (HTTP 200).");
  return parsed.data;
}
