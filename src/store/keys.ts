/** Every store key is built here, under one versioned prefix. */
const PREFIX = "hub:v1";

export const keys = {
  oauthState: (state: string): string => `${PREFIX}:oauth-state:${state}`,
  connection: (provider: string, orgId: string, userId: string): string =>
    `${PREFIX}:connection:${provider}:${enc(orgId)}:${enc(userId)}`,
  refreshLock: (provider: string, orgId: string, userId: string): string =>
    `${PREFIX}:refresh-lock:${provider}:${enc(orgId)}:${enc(userId)}`,
  connectLink: (id: string): string => `${PREFIX}:connect-link:${id}`,
  /** A browser session that is still open (signing out deletes it). */
  session: (id: string): string => `${PREFIX}:session:${id}`,
  listingCursor: (id: string): string => `${PREFIX}:listing-cursor:${id}`,
  /** One connection's sync records (status, lease, checkpoint, copy, change log) live under this. */
  sync: (provider: string, orgId: string, userId: string): string =>
    `${PREFIX}:sync:${provider}:${enc(orgId)}:${enc(userId)}`,
  /** Every connection that is synced in the background. */
  syncRegistry: (): string => `${PREFIX}:sync-registry`,
  syncRegistryLock: (): string => `${PREFIX}:sync-registry-lock`,
  /** One provider limit's count (a HubSpot portal, an Airtable base), shared by every process. */
  paceScope: (provider: string, rule: string, id: string): string =>
    `${PREFIX}:pace:${provider}:${rule}:${enc(id)}`,
} as const;

/** Keeps user-supplied ids from forging other key shapes (":" separates key parts). */
function enc(part: string): string {
  return encodeURIComponent(part);
}
