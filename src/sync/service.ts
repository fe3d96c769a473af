/**
 * What the routes and the background ask of syncing: a connection's sync status, a sync
 * requested (run in the background, coalesced), items read from the copy (or live before the
 * first sync completes), the changes feed, and forgetting it all on disconnect.
 */
import type { Owner } from "../connections/connections.ts";
import { InvalidRequestError } from "../errors.ts";
import type { IntegrationItem } from "../contract/item.ts";
import type { ItemsService } from "../items/list_items.ts";
import { type Logger, silentLogger } from "../log.ts";
import type { ActiveProvider } from "../providers/registry.ts";
import type { Store } from "../store/store.ts";
import { type ChangesPage, readChanges } from "./changes_feed.ts";
import { CopyStore } from "./copy.ts";
import { type CopyFilters, matches } from "./filters.ts";
import { type RunLimits, SyncEngine, syncKey } from "./engine.ts";
import { SubrequestBudget, type SubrequestCounter } from "./subrequests.ts";
import { SyncRegistry } from "./registry.ts";
import { parseStatus, perChunkOf, readStatus, type SyncView, syncView } from "./status.ts";
import { COPY_CURSOR_PREFIX, copyCursor, filterSignature, readCopyCursor } from "./tokens.ts";

export type { ChangesPage } from "./changes_feed.ts";

export interface SyncedPage {
  items: IntegrationItem[];
  next_cursor: string | null;
  synced_at: string | null;
}

/** A page and, when it came from the copy, how many items of each type the copy holds. */
export interface SyncedListing {
  page: SyncedPage;
  totals: Record<string, number> | null;
}

/** Hands background work to the runtime (Workers' waitUntil); on Deno it simply runs. */
export type Defer = (work: Promise<unknown>) => void;

export interface SyncServiceDeps {
  store: Store;
  items: ItemsService;
  clock: () => number;
  log: Logger;
  /** Background syncs on: a new connection's first sync starts at once. */
  background: boolean;
  leaseMs: number;
  /** Most steps one run takes (tests of resuming); null: to the end. */
  stepsPerRun: number | null;
  /**
   * Subrequests a run started by a request may spend (on Workers, what the request leaves of
   * its invocation's); null: no bound.
   */
  runSubrequests: number | null;
  /** What the hub has sent to the store and the providers, counted. */
  subrequests: SubrequestCounter;
}

export class SyncService {
  readonly engine: SyncEngine;
  readonly registry: SyncRegistry;
  /** Syncs this process runs now, so a shutdown can wait for them. */
  readonly running = new Set<Promise<unknown>>();

  constructor(private readonly deps: SyncServiceDeps) {
    this.engine = new SyncEngine(deps);
    this.registry = new SyncRegistry(deps.store);
  }

  /** A run's limits: the steps set for this hub, and `subrequests` counted from now. */
  limits(subrequests: number | null): RunLimits {
    return {
      steps: this.deps.stepsPerRun,
      budget: subrequests === null
        ? null
        : new SubrequestBudget(this.deps.subrequests, subrequests),
    };
  }

  async status(provider: string, owner: Owner): Promise<SyncView> {
    return syncView(await readStatus(this.deps.store, syncKey(provider, owner)));
  }

  /** Several providers' sync statuses for one owner in one store round trip. */
  async statuses(providers: readonly string[], owner: Owner): Promise<SyncView[]> {
    const raws = await this.deps.store.getMany(
      providers.map((provider) => `${syncKey(provider, owner)}:status`),
    );
    return raws.map((raw) => syncView(parseStatus(raw)));
  }

  /** Starts a sync in the background (or has the running one go again) and answers at once. */
  async request(provider: ActiveProvider, owner: Owner, defer: Defer): Promise<SyncView> {
    const work = this.engine.run(provider, owner, this.limits(this.deps.runSubrequests)).catch(
      (error) => {
        (this.deps.log ?? silentLogger).error("sync", {
          provider: provider.spec.id,
          outcome: "crashed",
          reason: error instanceof Error ? error.name : "unknown",
        });
      },
    );
    this.running.add(work);
    work.finally(() => this.running.delete(work));
    defer(work);
    const status = await this.status(provider.spec.id, owner);
    return status.state === "running" ? status : { ...status, state: "running" };
  }

  /** A new connection: synced in the background from now on, starting at once. */
  async connected(provider: ActiveProvider, owner: Owner, defer: Defer): Promise<void> {
    await this.registry.add(provider.spec.id, owner);
    if (this.deps.background) await this.request(provider, owner, defer);
  }

  async forget(provider: string, owner: Owner): Promise<void> {
    await this.registry.remove(provider, owner);
    await this.engine.forget(provider, owner);
  }

  /**
   * A page of items: from the copy once one is complete (no provider call), else live. With
   * filters, the copy is filtered as a whole; a live listing filters the pages it reads.
   */
  async list(
    provider: ActiveProvider,
    owner: Owner,
    page: { limit: number | null; cursor: string | null; filters: CopyFilters },
    log?: Logger,
  ): Promise<SyncedPage> {
    return (await this.listing(provider, owner, page, log)).page;
  }

  /** `list`, with the copy's counts per type (the dashboard shows what exists, not only pages). */
  async listing(
    provider: ActiveProvider,
    owner: Owner,
    page: { limit: number | null; cursor: string | null; filters: CopyFilters },
    log?: Logger,
  ): Promise<SyncedListing> {
    const { spec } = provider;
    const key = syncKey(spec.id, owner);
    const status = await readStatus(this.deps.store, key);
    const fromCopy = page.cursor?.startsWith(COPY_CURSOR_PREFIX) ??
      status.generation !== null;
    if (!fromCopy) {
      const live = await this.deps.items.list(provider, owner, page, log);
      return {
        page: {
          items: live.items.filter((item) => matches(item, page.filters)),
          next_cursor: live.next_cursor,
          synced_at: null,
        },
        totals: null,
      };
    }
    const signature = filterSignature(page.filters);
    const at = page.cursor === null
      ? { g: status.generation!, c: 0, o: 0, a: perChunkOf(status) }
      : readCopyCursor(spec.id, page.cursor, signature);
    if (at.g < (status.generation ?? 0) - 1) {
      throw new InvalidRequestError(
        "cursor: the copy it pages was replaced by two newer syncs since; start the listing again.",
      );
    }
    const limit = page.limit ?? 1000;
    const copy = new CopyStore(this.deps.store, key);
    const read = await copy.page(
      at.g,
      { chunk: at.c, offset: at.o, perChunk: at.a },
      limit,
      page.filters,
    );
    return {
      page: {
        items: read.items,
        next_cursor: read.next === null ? null : copyCursor(spec.id, at.g, read.next, signature),
        synced_at: status.syncedAt,
      },
      totals: status.types,
    };
  }

  /** The changes feed (src/sync/changes_feed.ts). */
  changes(
    provider: ActiveProvider,
    owner: Owner,
    request: { since: string | null; limit: number },
  ): Promise<ChangesPage> {
    return readChanges(this.deps, provider, owner, request);
  }
}
