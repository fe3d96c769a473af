import type { Connections, Owner } from "../connections/connections.ts";
import type { TokenKeeper } from "../connections/token_keeper.ts";
import { NotConnectedError, ReconnectRequiredError } from "../errors.ts";
import type { ActiveProvider } from "../providers/registry.ts";
import type { Logger } from "../log.ts";
import type { ChainPosition, ListingContext } from "../contract/chains.ts";
import type { ProviderApi } from "../contract/calls.ts";
import type { Store } from "../store/store.ts";
import { runChains } from "./chains.ts";
import { issueCursor, resolveCursor } from "./cursor.ts";
import type { IntegrationItem } from "../contract/item.ts";
import { ProviderApiClient } from "./provider_api.ts";
import type { Pacer } from "../pacing/pacer.ts";

export interface ItemsDeps {
  store: Store;
  connections: Connections;
  keeper: TokenKeeper;
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Most provider page requests per items request; null for no bound. */
  callBudget: number | null;
  /** One provider call with its retries (PROVIDER_CALL_TIMEOUT_MS). */
  callTimeoutMs: number;
  /** Longest wait for a rate-limit slot while a caller waits for the answer. */
  rateLimitWaitMs: number;
  /** The hub's one pacer, in the store: every provider call takes its slot from it. */
  pacer: Pacer;
}

/**
 * An answer without `limit` holds at most this many items (then a next_cursor): the hub's
 * memory for one request stays bounded whatever the size of the account.
 */
export const MAX_UNPAGED_ITEMS = 10_000;

export interface ItemsPage {
  items: IntegrationItem[];
  next_cursor: string | null;
}

/** Lists a connection's items: `limit` of them, or up to MAX_UNPAGED_ITEMS, and a cursor. */
export class ItemsService {
  constructor(private readonly deps: ItemsDeps) {}

  async list(
    provider: ActiveProvider,
    owner: Owner,
    page: { limit: number | null; cursor: string | null },
    /** The request's logger, for the provider call lines. */
    log?: Logger,
  ): Promise<ItemsPage> {
    const { spec } = provider;
    const positions = page.cursor === null
      ? spec.startChains()
      : await resolveCursor(this.deps.store, spec.id, owner, page.cursor);
    const result = await this.fetch(provider, owner, positions, page.limit ?? MAX_UNPAGED_ITEMS, {
      log,
      background: false,
    });
    return {
      items: result.items,
      next_cursor: result.remaining.length === 0
        ? null
        : await issueCursor(this.deps.store, spec.id, owner, result.remaining),
    };
  }

  /**
   * Up to `limit` items of a listing from `positions`, and the chains that remain: one step of
   * a listing, for an items request or a sync. A background caller waits out the rate limit
   * however long it takes and has no call budget unless it gives one (a sync step within its
   * invocation's subrequests); a request path is bounded.
   */
  async fetch(
    provider: ActiveProvider,
    owner: Owner,
    positions: ChainPosition[],
    limit: number,
    options: { log?: Logger; background: boolean; callBudget?: number | null },
  ): Promise<{ items: IntegrationItem[]; remaining: ChainPosition[] }> {
    const { spec } = provider;
    const { api, context } = await this.connect(provider, owner, options);
    const result = await runChains({
      positions,
      limit,
      callBudget: options.background ? options.callBudget ?? null : this.deps.callBudget,
      maxPageSize: spec.maxPageSize,
      fetchPage: (position, pageSize) => spec.fetchPage(position, pageSize, api, context),
      // A step under a subrequest budget keeps to its item limit (its writes are costed by it).
      evenGroups: options.background && (options.callBudget ?? null) === null,
    });
    return {
      items: spec.finishItems ? spec.finishItems(result.items) : result.items,
      remaining: result.remaining,
    };
  }

  /**
   * The paced, retried API of one connection and what its listing needs to know (a sync's
   * change feed calls it directly). Throws when the connection is missing or needs reconnecting.
   */
  async connect(
    provider: ActiveProvider,
    owner: Owner,
    options: { log?: Logger; background: boolean },
  ): Promise<{ api: ProviderApi; context: ListingContext }> {
    const { spec } = provider;
    const connection = await this.deps.connections.get(spec.id, owner);
    if (connection === null) {
      throw new NotConnectedError(
        `${spec.displayName} is not connected for this user; connect it first.`,
      );
    }
    if (connection.status === "reconnect_required") {
      throw new ReconnectRequiredError(
        connection.lastError?.message ?? `${spec.displayName} needs you to reconnect.`,
      );
    }
    const api = new ProviderApiClient({
      provider,
      connection,
      keeper: this.deps.keeper,
      pacer: this.deps.pacer.session(),
      sleep: this.deps.sleep,
      log: options.log,
      clock: this.deps.clock,
      callTimeoutMs: this.deps.callTimeoutMs,
      rateLimitWaitMs: options.background ? Infinity : this.deps.rateLimitWaitMs,
    });
    return { api, context: { extra: connection.extra } };
  }
}
