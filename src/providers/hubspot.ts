import { z } from "zod";
import { ProviderError } from "../errors.ts";
import { type IntegrationItem, makeItem } from "../items/item.ts";
import {
  type AccountInfo,
  type ChainPage,
  type Fetch,
  lazyPage,
  type ProviderApi,
  type ProviderSpec,
} from "./spec.ts";

/** The CRM object types the hub lists, with HubSpot's object type ids used in record URLs. */
const OBJECT_TYPES = {
  contacts: { type: "contact", typeId: "0-1", properties: "firstname,lastname,email" },
  companies: { type: "company", typeId: "0-2", properties: "name,domain" },
  deals: { type: "deal", typeId: "0-3", properties: "dealname" },
} as const;
type ObjectTypeName = keyof typeof OBJECT_TYPES;

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

const listSchema = z.object({
  results: z.array(z.object({
    id: z.string(),
    properties: z.record(z.string(), z.string().nullable()).default({}),
    createdAt: z.string().optional(),
    updatedAt: z.string().optional(),
  })),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});
type CrmRecord = z.infer<typeof listSchema>["results"][number];

export const hubspot: ProviderSpec = {
  id: "hubspot",
  displayName: "HubSpot",
  description: "Contacts, companies and deals from your CRM.",
  itemTypes: ["contact", "company", "deal"],
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
      },
      {
        name: "portal",
        requests: 100,
        windowMs: 10_000,
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
async function readAccount(
  data: Record<string, unknown>,
  app: { apiUrl: string; fetch: Fetch },
): Promise<AccountInfo> {
  const token = tokenSchema.safeParse(data);
  if (!token.success) throw new ProviderError("HubSpot's token answer was not understood.");
  let hubId = token.data.hub_id;
  let scopes = token.data.scopes;
  if (hubId === undefined) {
    const meta = await fetchMetadata(app, token.data.access_token);
    hubId = meta.hub_id;
    scopes = scopes ?? meta.scopes;
  }
  return {
    account: { id: String(hubId), name: `HubSpot account ${hubId}` },
    extra: { hub_id: String(hubId) },
    scopes: scopes ?? [],
  };
}

async function fetchMetadata(
  app: { apiUrl: string; fetch: Fetch },
  accessToken: string,
): Promise<z.infer<typeof metadataSchema>> {
  let response: Response;
  try {
    response = await app.fetch(
      `${app.apiUrl}/oauth/v1/access-tokens/${encodeURIComponent(accessToken)}`,
    );
  } catch {
    throw new ProviderError("HubSpot's token metadata could not be reached; try connecting again.");
  }
  const parsed = metadataSchema.safeParse(await response.json().catch(() => null));
  if (!response.ok || !parsed.success) {
    throw new ProviderError(`HubSpot's token metadata failed (HTTP ${response.status}).`);
  }
  return parsed.data;
}

async function fetchPage(
  position: { chain: string; cursor: string | null },
  pageSize: number,
  api: ProviderApi,
  context: { extra: Record<string, string> },
): Promise<ChainPage> {
  const objectType = position.chain as ObjectTypeName;
  const spec = OBJECT_TYPES[objectType];
  if (spec === undefined) throw new ProviderError(`Unknown HubSpot listing "${position.chain}".`);
  const query: Record<string, string> = { limit: String(pageSize), properties: spec.properties };
  if (position.cursor !== null) query.after = position.cursor;
  const page = await api.call(
    { method: "GET", path: `/crm/v3/objects/${objectType}`, query },
    listSchema,
  );
  const hubId = context.extra.hub_id ?? null;
  return lazyPage(
    page.results,
    (records) => records.map((record) => toItem(objectType, record, hubId)),
    { next: page.paging?.next?.after ?? null },
  );
}

function toItem(
  objectType: ObjectTypeName,
  record: CrmRecord,
  hubId: string | null,
): IntegrationItem {
  const spec = OBJECT_TYPES[objectType];
  const p = record.properties;
  return makeItem({
    // HubSpot ids are unique only within one object type.
    id: `${spec.type}:${record.id}`,
    type: spec.type,
    name: itemName(objectType, p),
    creation_time: record.createdAt ?? p.createdate ?? null,
    last_modified_time: record.updatedAt ?? p.lastmodifieddate ?? p.hs_lastmodifieddate ?? null,
    url: hubId === null
      ? null
      : `https://app.hubspot.com/contacts/${hubId}/record/${spec.typeId}/${record.id}`,
    visibility: true,
  });
}

function itemName(objectType: ObjectTypeName, p: Record<string, string | null>): string {
  if (objectType === "contacts") {
    const full = [p.firstname, p.lastname].filter((part) => part && part.trim()).join(" ");
    return full || p.email || "";
  }
  return (objectType === "companies" ? p.name : p.dealname) ?? "";
}
