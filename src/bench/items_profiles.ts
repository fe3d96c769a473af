/**
 * What the items bench knows of each provider, keyed by the registry's ids (a provider without
 * a profile does not compile): the accounts it lists, the bound its limits allow, and which of
 * its sandbox's counters counts listing calls. The bench's cases are derived from these.
 */
import { PROVIDER_IDS, type ProviderId, PROVIDERS } from "../providers/registry.ts";
import { airtableBound, type BoundOf, hubspotBound, notionBound } from "./items_bounds.ts";

/** What /__bench/counters reports (each sandbox counts its page calls under its own name). */
export interface SandboxCounters {
  crmCalls?: number;
  apiCalls?: number;
  searchCalls?: number;
  rateLimited: number;
  apiServiceMs: number[];
}

interface Account {
  /** Named after the provider's display name in the bench's rows. */
  account: string;
  /** The sandbox's seed (null) or a generated account of this size. */
  size: Record<string, number> | null;
  /** Page through next_cursor with this limit instead of one unpaged request. */
  limit?: number;
}

interface BenchProfile {
  accounts: Account[];
  bound: BoundOf;
  /** The listing calls the sandbox counted. */
  pageCalls(counters: SandboxCounters): number;
}

const PROFILES = {
  hubspot: {
    accounts: [
      { account: "seed account", size: null },
      {
        account: "20,000 contacts, 5,000 companies, 10,000 deals",
        size: { contacts: 20_000, companies: 5_000, deals: 10_000 },
      },
    ],
    bound: hubspotBound,
    pageCalls: (n) => n.crmCalls ?? 0,
  },
  airtable: {
    accounts: [
      { account: "seed account", size: null },
      {
        account: "4 bases x 5 tables x 2,000 records",
        size: { bases: 4, tablesPerBase: 5, recordsPerTable: 2_000 },
      },
      {
        account: "100,000 records (10 x 10 x 1,000), paged by 1,000 through next_cursor",
        size: { bases: 10, tablesPerBase: 10, recordsPerTable: 1_000 },
        limit: 1_000,
      },
    ],
    bound: airtableBound,
    pageCalls: (n) => n.apiCalls ?? 0,
  },
  notion: {
    accounts: [
      { account: "seed workspace", size: null },
      { account: "5,000 pages", size: { pages: 5_000 } },
    ],
    bound: notionBound,
    pageCalls: (n) => n.searchCalls ?? 0,
  },
} satisfies Record<ProviderId, BenchProfile>;

export function profile(provider: ProviderId): BenchProfile {
  return PROFILES[provider];
}

export interface Case extends Account {
  name: string;
  provider: ProviderId;
}

/** Every provider's accounts, in the registry's order. */
export const CASES: Case[] = PROVIDER_IDS.flatMap((provider) =>
  PROFILES[provider].accounts.map((a) => ({
    ...a,
    provider,
    name: `${PROVIDERS[provider].displayName}, ${a.account}`,
  }))
);

/** The provider's longest rate window: waiting it out leaves every window clear. */
export function longestWindowMs(provider: ProviderId): number {
  return Math.max(...PROVIDERS[provider].rateLimits.rules.map((rule) => rule.windowMs));
}
