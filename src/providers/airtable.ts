/**
 * Airtable as data: endpoints, OAuth style, limits; its account (whoami) and its listing's
 * three chains: bases and tables (airtable_schema.ts), each table's records (airtable_records.ts).
 */
import { z } from "zod";
import type { ProviderApi } from "../contract/calls.ts";
import type { ChainPage, ChainPosition } from "../contract/chains.ts";
import { ProviderError, ProviderRateLimitedError, ProviderStatusError } from "../errors.ts";
import { readContext, recordsContext, tablesContext } from "./airtable_cursors.ts";
import { recordsPage } from "./airtable_records.ts";
import { basesPage, tablesPage } from "./airtable_schema.ts";
import type { AccountInfo, ProviderSpec } from "./spec.ts";

const tokenSchema = z.object({ access_token: z.string().min(1), scope: z.string().optional() });

/** `email` only comes with the user.email:read scope, which the hub does not ask for. */
const whoamiSchema = z.object({
  id: z.string().min(1),
  email: z.string().optional(),
  scopes: z.array(z.string()).optional(),
});

export const airtable: ProviderSpec<"airtable"> = {
  id: "airtable",
  displayName: "Airtable",
  description: "Bases, tables and records.",
  itemTypes: ["base", "table", "record"],
  endpoints: {
    authorizeUrl: "https://airtable.com/oauth2/v1/authorize",
    tokenUrl: "https://airtable.com/oauth2/v1/token",
    apiUrl: "https://api.airtable.com",
  },
  oauth: {
    // Enough to list bases, their tables and records. Not user.email:read: the account's user
    // id names it well enough, and an extra scope must also be enabled on the integration.
    scopes: ["data.records:read", "schema.bases:read"],
    // Airtable requires PKCE even from clients with a secret.
    pkce: true,
    clientAuth: "basic",
    tokenBody: "form",
    authorizeParams: {},
    tokenHeaders: {},
    rotatesRefreshTokens: true,
  },
  apiHeaders: {},
  // 5 requests per second per base, whoever sends them, and 50 per second per token; a 429
  // costs a 30-second wait and Airtable sends no Retry-After. Calls without a base (the bases
  // list) count against the token only.
  rateLimits: {
    rules: [
      // 50 ms per base (see marginMs): a sync step's or a listing's calls to many bases leave
      // at once and reach Airtable unevenly; the pacer widens slots by how unevenly recent
      // bursts were answered (CallTimes), so a busy machine or network pays for itself.
      {
        name: "base",
        requests: 5,
        windowMs: 1000,
        marginMs: 50,
        per: "request_key",
        penaltyMs: 30_000,
      },
      {
        name: "token",
        requests: 50,
        windowMs: 1000,
        marginMs: 50,
        per: "connection",
        penaltyMs: 30_000,
      },
    ],
    honoursRetryAfter: false,
    statuses: [429],
  },
  maxPageSize: 100,
  readAccount,
  startChains: () => [{ chain: "bases", cursor: null }],
  fetchPage,
  // No changeFeed: every sync is this listing compared with the copy, the cheapest correct way.
  // Deletions show only to an id listing (or to webhooks: another scope and a subscription that
  // expires after 7 days), and this listing is that id listing: records come with the primary
  // field only, all a record's item needs, in pages of 100 either way. A LAST_MODIFIED_TIME()
  // query per table would add one call per table and still miss a computed primary field (a
  // formula or lookup does not move LAST_MODIFIED_TIME()); renamed tables and bases reach
  // their children's parent paths through the same listing.
  // No revoke: Airtable documents no revocation endpoint, so disconnecting forgets the tokens
  // (the user can remove the grant in Airtable's integration settings).
};

/** whoami counts against the new token's limit like any call: the api paces it. */
async function readAccount(data: Record<string, unknown>, api: ProviderApi): Promise<AccountInfo> {
  const token = tokenSchema.safeParse(data);
  if (!token.success) throw new ProviderError("Airtable's token answer was not understood.");
  let answer: unknown;
  try {
    answer = await api.call({ method: "GET", path: "/v0/meta/whoami" }, z.unknown());
  } catch (error) {
    if (error instanceof ProviderStatusError) {
      throw new ProviderError(`Airtable did not identify the account (HTTP ${error.httpStatus}).`);
    }
    if (error instanceof ProviderRateLimitedError) throw error;
    throw new ProviderError("Airtable could not be reached to identify the account; try again.", {
      cause: error,
    });
  }
  const who = whoamiSchema.safeParse(answer);
  if (!who.success) throw new ProviderError("Airtable did not identify the account (HTTP 200).");
  const scopes = token.data.scope === undefined
    ? who.data.scopes ?? []
    : token.data.scope.split(" ").filter((s) => s !== "");
  return {
    account: { id: who.data.id, name: who.data.email ?? who.data.id },
    extra: {},
    scopes,
  };
}

async function fetchPage(
  position: ChainPosition,
  pageSize: number,
  api: ProviderApi,
): Promise<ChainPage> {
  const { chain, cursor, context } = position;
  if (chain === "bases") return await basesPage(cursor, pageSize, api);
  if (chain === "tables") {
    return await tablesPage(cursor, pageSize, api, readContext(tablesContext, context));
  }
  if (chain === "records") {
    return await recordsPage(cursor, pageSize, api, readContext(recordsContext, context));
  }
  throw new ProviderError(`Unknown Airtable listing "${chain.slice(0, 40)}".`);
}
