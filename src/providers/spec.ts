import type { z } from "zod";
import type { IntegrationItem } from "../items/item.ts";
import type { ProviderId } from "./ids.ts";

/** How the hub sends HTTP requests: the runtime's fetch, unless the entry point gives another. */
export type Fetch = (input: Request | URL | string, init?: RequestInit) => Promise<Response>;

/** How a provider runs OAuth: data, read by the one generic flow in src/oauth/. */
export interface OAuthStyle {
  scopes: string[];
  /** PKCE S256 with a fresh verifier per authorization. */
  pkce: boolean;
  /** Where the client id and secret go at the token endpoint. */
  clientAuth: "form_body" | "basic";
  tokenBody: "form" | "json";
  /** Extra query parameters on the authorization URL (Notion's owner=user). */
  authorizeParams: Record<string, string>;
  /** Extra headers on token requests (Notion-Version). */
  tokenHeaders: Record<string, string>;
  /** A used refresh token is dead: the new one must be stored every time. */
  rotatesRefreshTokens: boolean;
}

/**
 * One limit a provider counts, as data: how many calls per window, over what. The hub's pacer
 * (src/pacing/) keeps every process under it, keyed by the same scope the provider counts.
 */
export interface RateLimitRule {
  /** Names the scope in store keys and logs ("portal", "search", "base", "token"). */
  name: string;
  /** Calls paced for per window, per scope. */
  requests: number;
  windowMs: number;
  /**
   * How much wider than `windowMs` the pacer keeps each window, for calls that reach the
   * provider unevenly late. The hub makes up for its own late calls (it knows when each left),
   * so this only covers the way there; every window pays it. 100 ms when unset.
   */
  marginMs?: number;
  /**
   * What the provider counts over: `account`: the provider account the connection reached
   * (`extra[accountField]`, e.g. HubSpot's hub_id), whoever connected it; `request_key`: the
   * request's `rateKey` (an Airtable base), whoever calls, and requests without one do not
   * count here; `connection`: the one connection (its token).
   */
  per: "account" | "request_key" | "connection";
  /** For `per: "account"`: the connection's extra field naming the account. */
  accountField?: string;
  /**
   * Only calls whose method and path match count against this rule (HubSpot's CRM search:
   * `POST /crm/v3/objects/{type}/search`); every call when unset.
   */
  appliesTo?: { method: ApiRequest["method"]; pathPattern: RegExp };
  /** How long a 429 blocks the scope when the provider sends no Retry-After. */
  penaltyMs: number;
}

/** A provider's limits and how it says "slow down". */
export interface RateLimits {
  /**
   * Every rule a call matches counts it. Narrowest first: a 429 blocks the scope of the first
   * rule the call matched (the one the provider most likely applied).
   */
  rules: RateLimitRule[];
  /** Read the provider's Retry-After header (seconds) when it sends one. */
  honoursRetryAfter: boolean;
  /** Statuses that mean "slow down" (Notion also answers 529 when overloaded). */
  statuses: number[];
  /**
   * A header stating the limit the provider applies to this account (HubSpot's
   * X-HubSpot-RateLimit-Max), read for the rule it names: the pacer then paces for it.
   */
  limitHeader?: { header: string; rule: string };
}

/** A position in one independent cursor chain of a listing (e.g. HubSpot contacts). */
export interface ChainPosition {
  chain: string;
  cursor: string | null;
  /** What the chain needs to know about its parents (ids, names); kept in the cursor. */
  context?: Record<string, string>;
  /**
   * Chains of one group share a rate limit (an Airtable base): a limited answer deals its pages
   * across groups first, so one group's pace does not hold up the whole answer.
   */
  group?: string;
}

/** One provider page mapped to items, with where its chain goes next. */
export interface ChainPage {
  readonly items: IntegrationItem[];
  /**
   * How many objects the provider sent (items can only be fewer). Given it, the chain sends its
   * next request before reading `items`, so a lazily mapped page never holds that request up.
   */
  size?: number;
  /** The next cursor of the same chain, or null when the chain is done. */
  next: string | null;
  /** New chains this page revealed (an Airtable base's tables, a table's records). */
  spawn?: ChainPosition[];
}

/** A page whose provider objects are mapped to items only when `items` is first read. */
export function lazyPage<T>(
  objects: readonly T[],
  toItems: (objects: readonly T[]) => IntegrationItem[],
  where: { next: string | null; spawn?: ChainPosition[] },
): ChainPage {
  let items: IntegrationItem[] | undefined;
  return {
    get items() {
      return items ??= toItems(objects);
    },
    size: objects.length,
    ...where,
  };
}

/** A provider API request, relative to the provider's API base URL. */
export interface ApiRequest {
  method: "GET" | "POST" | "DELETE";
  path: string;
  query?: Record<string, string>;
  json?: unknown;
  /** The scope of `per: "request_key"` rules (an Airtable base id). */
  rateKey?: string;
}

/** Authenticated, paced, retried calls to the provider on behalf of one connection. */
export interface ProviderApi {
  call<T>(request: ApiRequest, schema: z.ZodType<T>): Promise<T>;
}

/** Details a provider reports about the account behind a new token. */
export interface AccountInfo {
  account: { id: string; name: string };
  /** Provider-specific identifiers kept with the connection (HubSpot hub_id, Notion bot_id). */
  extra: Record<string, string>;
  scopes: string[];
}

/** What the hub knows about one stored connection when listing its items. */
export interface ListingContext {
  extra: Record<string, string>;
}

/**
 * Where a provider's change feed stands after a sync: opaque strings, one per part of the feed
 * the provider chooses (usually one per chain: "contacts", "contacts:archived"). Kept in the
 * sync status; the next incremental sync starts from it.
 */
export type Watermark = Record<string, string>;

/** One page of a change feed: what changed, with where its chain goes next. */
export interface ChangePage {
  /**
   * Items as they are now that may have changed since the watermark. Sending too many is safe
   * (an overlap, a restarted query): the engine compares each with the copy and logs only
   * real changes, each item once; an id sent twice keeps the later page's item.
   */
  upserts: IntegrationItem[];
  /** Ids of items deleted since the watermark (ids not in the copy are ignored; a deletion wins over an upsert of the same id in one sync). */
  deletions: string[];
  /**
   * For a feed with `deletionCheck`: ids of items that exist, from a cheap id listing. Items in
   * the copy that no page names (in `upserts` or `present`) by the end of the sync are deleted.
   */
  present?: string[];
  /** The next cursor of the same chain, or null when the chain is done. */
  next: string | null;
  /** New chains this page revealed (a new Airtable base's tables). */
  spawn?: ChainPosition[];
  /** Watermark parts this page moves on; merged key by key into the new watermark. */
  watermark?: Watermark;
}

/**
 * A provider's change feed: how an incremental sync learns what changed since the previous one
 * without listing the whole account. Optional: a provider without one is fully listed and
 * compared with the copy on every sync.
 *
 * How the engine uses it (src/sync/engine.ts):
 * - A full listing (the first sync, after a failed sync, without a usable watermark, and once
 *   every FULL_RELIST_MS) stores `watermarkAt(start)` when it completes, `start` being the hub's
 *   clock when the listing began, so changes made during the listing are read again next time.
 * - An incremental sync calls `startChains(watermark)` (null: the watermark is not usable, do a
 *   full listing), then `fetchChanges` for each position, following `next` and `spawn` exactly
 *   like a listing's chains. Each page is staged in the store and checkpointed, so a killed sync
 *   resumes at the page it was on; every call goes through `api` (paced, retried, counted).
 * - The new watermark is the previous one with each page's `watermark` parts merged over it in
 *   page order; a part that no page names stays as it was.
 * - When the chains are done the engine builds the new generation: the previous copy with the
 *   upserts applied (unknown ids appended), deletions removed and, with `deletionCheck`, items
 *   no page named removed; the change log gets only items whose content differs.
 * - A feed that returns more than MAX_FEED_CHANGES upserts and deletions in one sync is
 *   abandoned for a full listing (it would be as costly, and the changes are held in memory).
 *
 * Items are final as sent (`finishItems` is not applied to them) and keep the ids the listing
 * gives them. Positions and cursors are strings kept in the checkpoint: put all a chain needs (the query's
 * lower bound, the last value seen) into `cursor` or `context`.
 */
export interface ChangeFeed {
  /** The watermark a full listing that began at `startedAt` (epoch ms, hub clock) leaves. */
  watermarkAt(startedAt: number): Watermark;
  /** The chains an incremental sync from `watermark` starts with; null when it is unusable. */
  startChains(watermark: Watermark): ChainPosition[] | null;
  /** Fetches one page of one chain of the feed. */
  fetchChanges(
    position: ChainPosition,
    api: ProviderApi,
    context: ListingContext,
  ): Promise<ChangePage>;
  /**
   * The feed's pages name every existing item (in `upserts` or `present`), so what they do not
   * name was deleted: for providers whose deletions show only by comparing ids.
   */
  deletionCheck?: boolean;
}

/** A provider: mostly data, plus the small pieces that cannot be data. */
export interface ProviderSpec {
  id: ProviderId;
  displayName: string;
  /** One line shown on the dashboard card. */
  description: string;
  /** The item types this provider lists, for the dashboard's type filter. */
  itemTypes: readonly string[];
  oauth: OAuthStyle;
  /** Headers on every API call (Notion-Version). */
  apiHeaders: Record<string, string>;
  rateLimits: RateLimits;
  /** Largest page the provider serves. */
  maxPageSize: number;
  /** Validates the token endpoint's answer and reads the account it belongs to. */
  readAccount(
    tokenResponse: Record<string, unknown>,
    app: { apiUrl: string; fetch: Fetch },
  ): Promise<AccountInfo>;
  /** The chains a fresh listing starts with. */
  startChains(): ChainPosition[];
  /** Fetches one page of one chain. */
  fetchPage(
    position: ChainPosition,
    pageSize: number,
    api: ProviderApi,
    context: ListingContext,
  ): Promise<ChainPage>;
  /** How an incremental sync reads what changed; absent: every sync is a full listing. */
  changeFeed?: ChangeFeed;
  /** Adjusts one response's items together (links children to parents listed beside them). */
  finishItems?(items: IntegrationItem[]): IntegrationItem[];
  /** Revokes the grant at the provider, when it offers a way. */
  revoke?(
    tokens: { accessToken: string; refreshToken: string | null },
    app: { apiUrl: string; clientId: string; clientSecret: string; fetch: Fetch },
  ): Promise<void>;
}
