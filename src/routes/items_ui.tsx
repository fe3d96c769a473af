import { type Context, Hono } from "hono";
import { z } from "zod";
import { ownerFor } from "../auth/callers.ts";
import {
  HubError,
  NotConnectedError,
  ReconnectRequiredError,
  UnauthenticatedError,
} from "../errors.ts";
import { ProviderCard } from "../../views/dashboard.tsx";
import type { CopyFilters } from "../sync/filters.ts";
import { cardsFor } from "./cards.ts";
import { pageErrors } from "../http/errors.tsx";
import { toCsv } from "./items_csv.ts";
import { parseInput } from "../http/validate.ts";
import type { IntegrationItem } from "../contract/item.ts";
import { type ActiveProvider, resolveProvider } from "../providers/registry.ts";
import type { HubEnv } from "../services.ts";
import type { Owner } from "../connections/connections.ts";
import { Layout } from "../../views/layout.tsx";
import {
  type ItemFilters,
  ItemRows,
  ItemsBrowser,
  ItemsError,
  type ItemsPageModel,
  ItemsPanel,
  ItemsResults,
} from "../../views/items_table.tsx";

/** A rendered view, as the views' functions return it. */
type Html = ReturnType<typeof ItemsError>;

const PAGE_SIZE = 100;
/** Pages a filtered view reads at most to find a first match before offering "Load more". */
const MAX_SCAN_PAGES = 10;
/** An export re-reads at most this many pages (what a user could have loaded by hand). */
const MAX_EXPORT_PAGES = 200;

const countsSchema = z.string().max(2000).regex(
  /^([a-z_]{1,30}:\d{1,7})?(,[a-z_]{1,30}:\d{1,7})*$/,
  {
    error: "must be type:count pairs",
  },
).transform((text) =>
  Object.fromEntries(
    text.split(",").filter((p) => p !== "").map((p) => {
      const [type, n] = p.split(":");
      return [type, Number(n)];
    }),
  )
);

const listingSchema = z.object({
  q: z.string().max(200).default(""),
  type: z.string().max(30).default(""),
  cursor: z.string().min(1).max(20_000).optional(),
  pages: z.coerce.number().int().min(0).max(MAX_EXPORT_PAGES).default(0),
  counts: countsSchema.default({}),
});
type Listing = z.infer<typeof listingSchema>;

/** The items browser: filter as you type, load more, counts, export; all filtering server-side. */
export function itemsUi(): Hono<HubEnv> {
  const ui = new Hono<HubEnv>();

  ui.get("/ui/:provider/browser", pageErrors, async (c) => {
    const { provider, owner, listing } = read(c);
    const { id, displayName } = provider.spec;
    const inPanel = (content: Html) => (
      <ItemsPanel provider={id} displayName={displayName}>{content}</ItemsPanel>
    );
    return await render(c, provider, async () => {
      const model = await loadPage(c, provider, owner, listing);
      return c.html(inPanel(<ItemsBrowser model={model} />));
    }, inPanel);
  });

  ui.get("/ui/:provider/items", pageErrors, async (c) => {
    const { provider, owner, listing } = read(c);
    return await render(c, provider, async () => {
      const model = await loadPage(c, provider, owner, listing);
      return c.html(
        listing.cursor ? <ItemRows model={model} appended /> : <ItemsResults model={model} />,
      );
    });
  });

  ui.get("/items/:provider", pageErrors, async (c) => {
    const { provider, owner, listing } = read(c);
    const model = await loadPage(c, provider, owner, listing);
    return c.html(
      <Layout title={`${provider.spec.displayName} items`} signedInAs={owner}>
        <p>
          <a href="/">← Dashboard</a>
        </p>
        <h1>{provider.spec.displayName} items</h1>
        <ItemsBrowser model={model} />
      </Layout>,
    );
  });

  for (const format of ["json", "csv"] as const) {
    ui.get(`/ui/:provider/export.${format}`, pageErrors, async (c) => {
      const { provider, owner, listing } = read(c);
      const items = await loadForExport(c, provider, owner, listing);
      c.header("Content-Disposition", `attachment; filename="${provider.spec.id}-items.${format}"`);
      if (format === "json") return c.json(items);
      c.header("Content-Type", "text/csv; charset=utf-8");
      return c.body(toCsv(items));
    });
  }

  return ui;
}

function read(c: Context<HubEnv>): { provider: ActiveProvider; owner: Owner; listing: Listing } {
  const provider = resolveProvider(c.get("services"), c.req.param("provider")!);
  const caller = c.get("caller");
  if (caller?.kind !== "session") {
    throw new UnauthenticatedError("Your session has ended; sign in again.");
  }
  const listing = parseInput(listingSchema, c.req.query());
  return { provider, owner: ownerFor(c, {}), listing };
}

/** Provider failures become an in-place message with a retry, not a broken page. */
async function render(
  c: Context<HubEnv>,
  provider: ActiveProvider,
  fn: () => Promise<Response>,
  wrap: (content: Html) => Html = (content) => content,
): Promise<Response> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof HubError)) throw error;
    const retry = new URLSearchParams(c.req.query()).toString();
    const dead = error instanceof ReconnectRequiredError || error instanceof NotConnectedError;
    // The card was drawn when the grant still worked: it is redrawn from what the store says now.
    const card = dead
      ? (await cardsFor(c.get("services"), ownerFor(c, {})))
        .find((model) => model.id === provider.spec.id)
      : undefined;
    return c.html(
      <>
        {wrap(
          <ItemsError
            provider={provider.spec.id}
            message={error.message}
            retryQuery={retry}
            reconnect={dead}
          />,
        )}
        {card ? <ProviderCard card={card} outOfBand /> : null}
      </>,
      error.status,
    );
  }
}

function copyFilters(filters: ItemFilters): CopyFilters {
  return {
    types: filters.type === "" ? [] : [filters.type],
    q: filters.q.toLowerCase(),
    modifiedAfter: null,
  };
}

async function loadPage(
  c: Context<HubEnv>,
  provider: ActiveProvider,
  owner: Owner,
  listing: Listing,
): Promise<ItemsPageModel> {
  const filters = { q: listing.q, type: listing.type };
  const filtering = filters.q !== "" || filters.type !== "";
  const items: IntegrationItem[] = [];
  // The cursor goes into the page's "Load more" link: sealed, bound to this session's owner.
  const { cursors } = c.get("services");
  const binding = { provider: provider.spec.id, owner, filters: copyFilters(filters) };
  let cursor = listing.cursor === undefined
    ? null
    : await cursors.open("cursor", listing.cursor, binding);
  let fetched = 0;
  // From the synced copy a filter covers the whole account at once; a live listing (before the
  // first sync) filters page by page, so keep reading a few pages until something matches.
  let totals: Record<string, number> | null = null;
  do {
    const listing = await c.get("services").sync.listing(
      provider,
      owner,
      { limit: PAGE_SIZE, cursor, filters: copyFilters(filters) },
      c.get("log"),
    );
    const { page } = listing;
    totals = listing.totals;
    fetched++;
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (filtering && items.length === 0 && cursor !== null && fetched < MAX_SCAN_PAGES);
  const counts: Record<string, number> = { ...(listing.cursor ? listing.counts : {}) };
  for (const item of items) counts[item.type] = (counts[item.type] ?? 0) + 1;
  return {
    provider: provider.spec.id,
    types: provider.spec.itemTypes,
    filters,
    items,
    nextCursor: cursor === null ? null : await cursors.seal("cursor", cursor, binding),
    counts,
    totals: filtering ? null : totals,
    pages: (listing.cursor ? listing.pages : 0) + fetched,
  };
}

/** Re-reads the pages the user had loaded (same filters), so the export is what they saw. */
async function loadForExport(
  c: Context<HubEnv>,
  provider: ActiveProvider,
  owner: Owner,
  listing: Listing,
): Promise<IntegrationItem[]> {
  const filters = { q: listing.q, type: listing.type };
  const items: IntegrationItem[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < Math.max(1, listing.pages); page++) {
    const result = await c.get("services").sync.list(
      provider,
      owner,
      { limit: PAGE_SIZE, cursor, filters: copyFilters(filters) },
      c.get("log"),
    );
    items.push(...result.items);
    cursor = result.next_cursor;
    if (cursor === null) break;
  }
  return items;
}
