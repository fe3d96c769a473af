import type { ApiRequest, Fetch, ProviderApi } from "../contract/calls.ts";
import type {
  ChainPage,
  ChainPosition,
  ChangePage,
  ListingContext,
  Watermark,
} from "../contract/chains.ts";
import type { IntegrationItem } from "../contract/item.ts";

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

/** Details a provider reports about the account behind a new token. */
export interface AccountInfo {
  account: { id: string; name: string };
  /** Provider-specific identifiers kept with the connection (HubSpot hub_id, Notion bot_id). */
  extra: Record<string, string>;
  scopes: string[];
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

/** Where a provider serves OAuth and its API. */
export interface Endpoints {
  authorizeUrl: string;
  tokenUrl: string;
  /** The API base, without a trailing slash; request paths are relative to it. */
  apiUrl: string;
}

/** One provider's OAuth app and endpoints in this deployment, resolved from the environment. */
export interface ProviderConfig extends Endpoints {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** True when this provider is served by the hub's own sandbox. */
  sandbox: boolean;
}

/** A provider: mostly data, plus the small pieces that cannot be data. */
export interface ProviderSpec<Id extends string = string> {
  /** Names the provider in URLs, store keys and its variables (<ID>_CLIENT_ID). */
  id: Id;
  displayName: string;
  /** One line shown on the dashboard card. */
  description: string;
  /** The item types this provider lists, for the dashboard's type filter. */
  itemTypes: readonly string[];
  /**
   * The real endpoints. <ID>_AUTHORIZE_URL, _TOKEN_URL and _API_URL override them; a sandbox
   * serves the same paths under /sandbox/{id}.
   */
  endpoints: Endpoints;
  /**
   * The API base of one connection, from what was stored with it (Salesforce's instance_url),
   * when it differs per connection; the app's apiUrl when absent or undefined.
   */
  apiBase?(extra: Record<string, string>): string | undefined;
  oauth: OAuthStyle;
  /** Headers on every API call (Notion-Version). */
  apiHeaders: Record<string, string>;
  rateLimits: RateLimits;
  /** Largest page the provider serves. */
  maxPageSize: number;
  /**
   * Validates the token endpoint's answer and reads the account it belongs to; `api` calls
   * with the new token, paced like every call (Airtable's whoami).
   */
  readAccount(tokenResponse: Record<string, unknown>, api: ProviderApi): Promise<AccountInfo>;
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
  /**
   * The id of the parent an item names when `finishItems` could not link it (the parent was
   * not beside it), for an item `finishItems` returned: a sync that lists the parent later
   * links the child then.
   */
  namedParent?(item: IntegrationItem): string | undefined;
  /** Revokes the grant at the provider, when it offers a way. */
  revoke?(
    tokens: { accessToken: string; refreshToken: string | null },
    app: { apiUrl: string; clientId: string; clientSecret: string; fetch: Fetch },
  ): Promise<void>;
}
