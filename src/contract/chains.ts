/** What a provider listing is made of: chains of pages of items, and change-feed pages. */
import type { IntegrationItem } from "./item.ts";

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
