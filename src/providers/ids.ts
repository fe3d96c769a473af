/** The providers the hub knows, in the order the dashboard shows them. */
export const PROVIDER_IDS = ["hubspot", "airtable", "notion"] as const;
export type ProviderId = typeof PROVIDER_IDS[number];

export function isProviderId(value: string): value is ProviderId {
  return (PROVIDER_IDS as readonly string[]).includes(value);
}

/** Real endpoints, used when the configuration does not override them. */
export const DEFAULT_ENDPOINTS: Record<
  ProviderId,
  { authorizeUrl: string; tokenUrl: string; apiUrl: string }
> = {
  hubspot: {
    authorizeUrl: "https://app.hubspot.com/oauth/authorize",
    tokenUrl: "https://api.hubapi.com/oauth/v1/token",
    apiUrl: "https://api.hubapi.com",
  },
  airtable: {
    authorizeUrl: "https://airtable.com/oauth2/v1/authorize",
    tokenUrl: "https://airtable.com/oauth2/v1/token",
    apiUrl: "https://api.airtable.com",
  },
  notion: {
    authorizeUrl: "https://api.notion.com/v1/oauth/authorize",
    tokenUrl: "https://api.notion.com/v1/oauth/token",
    apiUrl: "https://api.notion.com",
  },
};

/** Where each sandbox serves its endpoints, relative to the hub's APP_URL. */
export const SANDBOX_ENDPOINTS: Record<
  ProviderId,
  { authorizeUrl: string; tokenUrl: string; apiUrl: string }
> = {
  hubspot: {
    authorizeUrl: "/sandbox/hubspot/oauth/authorize",
    tokenUrl: "/sandbox/hubspot/oauth/v1/token",
    apiUrl: "/sandbox/hubspot",
  },
  airtable: {
    authorizeUrl: "/sandbox/airtable/oauth2/v1/authorize",
    tokenUrl: "/sandbox/airtable/oauth2/v1/token",
    apiUrl: "/sandbox/airtable",
  },
  notion: {
    authorizeUrl: "/sandbox/notion/v1/oauth/authorize",
    tokenUrl: "/sandbox/notion/v1/oauth/token",
    apiUrl: "/sandbox/notion",
  },
};
