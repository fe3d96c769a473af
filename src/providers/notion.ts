import { z } from "zod";
import { ProviderError } from "../errors.ts";
import { type IntegrationItem, makeItem } from "../contract/item.ts";
import type { AccountInfo, ProviderSpec } from "./spec.ts";
import { type ChainPage, type ChainPosition, lazyPage } from "../contract/chains.ts";
import type { Fetch, ProviderApi } from "../contract/calls.ts";

/**
 * The one Notion API version the hub speaks, on every API and token request.
 *
 * 2022-06-28, not 2025-09-03 or later: the contract lists Notion `page` and `database` items.
 * With 2022-06-28, search returns page and database objects (filter value "database"), a
 * database carries its own top-level `title`, and a row's parent is `database_id`, so each
 * database is one directory item and its rows link to it. From 2025-09-03 on, search returns
 * data sources instead of databases (filter value "data_source", rows' parents become
 * `data_source_id`), so listing databases would need a data-source-to-database mapping the
 * contract does not ask for. Notion keeps serving a pinned version, and the official JS SDK
 * v4 defaults to the same one. Revisit when the contract adds data sources, or if Notion
 * retires 2022-06-28 (databases with several data sources are only fully visible in newer
 * versions).
 */
export const NOTION_VERSION = "2022-06-28";

const versionHeader = { "Notion-Version": NOTION_VERSION };

/**
 * Both token answers Notion has sent: the current one (token_type, rotating refresh_token or
 * null) and the older one without token_type and refresh_token.
 */
const tokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  refresh_token: z.string().nullish(),
  bot_id: z.string().min(1),
  workspace_id: z.string().min(1),
  workspace_name: z.string().nullish(),
  workspace_icon: z.string().nullish(),
});

const richText = z.array(z.object({ plain_text: z.string().default("") }));

const parentSchema = z.object({
  type: z.string(),
  page_id: z.string().optional(),
  database_id: z.string().optional(),
});

const common = {
  id: z.string().min(1),
  created_time: z.string().nullish(),
  last_edited_time: z.string().nullish(),
  url: z.string().nullish(),
  parent: parentSchema.nullish(),
};

const pageSchema = z.object({
  object: z.literal("page"),
  ...common,
  properties: z.record(
    z.string(),
    z.object({ type: z.string(), title: richText.optional() }),
  ).default({}),
});

const databaseSchema = z.object({
  object: z.literal("database"),
  ...common,
  title: richText.default([]),
});

type NotionObject = z.infer<typeof pageSchema> | z.infer<typeof databaseSchema>;

/** Results stay unknown here: each is read on its own so one odd object cannot sink a page. */
const searchSchema = z.object({
  results: z.array(z.unknown()),
  next_cursor: z.string().nullish(),
  has_more: z.boolean().default(false),
});

const resultSchema = z.discriminatedUnion("object", [pageSchema, databaseSchema]);

/**
 * The Notion parent id of each item made here. IntegrationItem has no field for it, and the
 * parent may appear later in the same response, so finishItems links children afterwards.
 */
const rawParents = new WeakMap<IntegrationItem, string>();

export const notion: ProviderSpec<"notion"> = {
  id: "notion",
  displayName: "Notion",
  description: "Pages and databases shared with the hub.",
  itemTypes: ["page", "database"],
  endpoints: {
    authorizeUrl: "https://api.notion.com/v1/oauth/authorize",
    tokenUrl: "https://api.notion.com/v1/oauth/token",
    apiUrl: "https://api.notion.com",
  },
  oauth: {
    // Notion has no OAuth scopes: the user picks pages in Notion's page picker.
    scopes: [],
    pkce: false,
    clientAuth: "basic",
    tokenBody: "json",
    authorizeParams: { owner: "user" },
    tokenHeaders: versionHeader,
    rotatesRefreshTokens: true,
  },
  apiHeaders: versionHeader,
  // An average of 3 requests per second per connection; 429 and 529 carry Retry-After
  // (seconds). Without one, wait two seconds: several windows of the average rate.
  rateLimits: {
    rules: [{
      name: "connection",
      requests: 3,
      windowMs: 1000,
      // 5% of the one-second window (see marginMs).
      marginMs: 50,
      per: "connection",
      penaltyMs: 2000,
    }],
    honoursRetryAfter: true,
    statuses: [429, 529],
  },
  maxPageSize: 100,
  readAccount,
  startChains: (): ChainPosition[] => [{ chain: "search", cursor: null }],
  fetchPage,
  // No changeFeed: every sync is this listing compared with the copy, the cheapest correct way.
  // Search leaves trashed pages out and has no id-only form, so deletions show only to a full
  // listing (or to webhooks, which need a public URL), and that listing already carries every
  // edit: a newest-first walk down to the watermark (minus a minute: edit times are rounded
  // down to it) would only add calls.
  finishItems,
  namedParent: (item) => item.parent_id === null ? rawParents.get(item) : undefined,
  revoke,
};

/**
 * The account is the workspace, shown by its name; workspace_id pairs with that name. bot_id
 * identifies this one authorization (a workspace can hold several), so it is kept in extra.
 */
function readAccount(data: Record<string, unknown>): Promise<AccountInfo> {
  const token = tokenSchema.safeParse(data);
  if (!token.success) {
    return Promise.reject(new ProviderError("Notion's token answer was not understood."));
  }
  const { bot_id, workspace_id, workspace_name } = token.data;
  return Promise.resolve({
    account: { id: workspace_id, name: workspace_name?.trim() || "Notion workspace" },
    extra: { bot_id, workspace_id },
    scopes: [],
  });
}

async function fetchPage(
  position: ChainPosition,
  pageSize: number,
  api: ProviderApi,
): Promise<ChainPage> {
  if (position.chain !== "search") {
    throw new ProviderError(`Unknown Notion listing "${position.chain}".`);
  }
  // Oldest edit first: an object edited while we page moves behind the cursor, so it is seen
  // (perhaps twice, which finishItems folds) instead of jumping ahead of it and being missed.
  const body: Record<string, unknown> = {
    page_size: pageSize,
    sort: { timestamp: "last_edited_time", direction: "ascending" },
  };
  if (position.cursor !== null) body.start_cursor = position.cursor;
  const page = await api.call({ method: "POST", path: "/v1/search", json: body }, searchSchema);
  return lazyPage(page.results, mapResults, {
    next: page.has_more ? page.next_cursor ?? null : null,
  });
}

/** Maps search results to items; objects other than pages and databases are skipped. */
export function mapResults(results: readonly unknown[]): IntegrationItem[] {
  return results.flatMap((result) => {
    const parsed = resultSchema.safeParse(result);
    return parsed.success ? [toItem(parsed.data)] : [];
  });
}

function toItem(object: NotionObject): IntegrationItem {
  const item = makeItem({
    id: object.id,
    type: object.object,
    directory: object.object === "database",
    name: object.object === "page" ? pageTitle(object) : plainText(object.title),
    creation_time: object.created_time ?? null,
    last_modified_time: object.last_edited_time ?? null,
    url: object.url ?? null,
    visibility: true,
  });
  const parent = object.parent;
  const parentId = parent?.type === "page_id"
    ? parent.page_id
    : parent?.type === "database_id"
    ? parent.database_id
    : undefined;
  if (parentId) rawParents.set(item, parentId);
  return item;
}

/** A page's title is its one property of type "title", whatever the property is named. */
function pageTitle(page: z.infer<typeof pageSchema>): string {
  const title = Object.values(page.properties).find((p) => p.type === "title");
  return plainText(title?.title ?? []);
}

function plainText(parts: z.infer<typeof richText>): string {
  return parts.map((part) => part.plain_text).join("");
}

/** Notion ids may come dashed or not; compare them undashed and lowercase. */
const idKey = (id: string) => id.replaceAll("-", "").toLowerCase();

/**
 * Folds repeated objects (a search can return one twice) and links each item to its parent
 * page or database when that parent is in the same response.
 */
export function finishItems(items: IntegrationItem[]): IntegrationItem[] {
  const byId = new Map<string, IntegrationItem>();
  for (const item of items) {
    if (!byId.has(idKey(item.id))) byId.set(idKey(item.id), item);
  }
  return [...byId.values()].map((item) => {
    const parentId = rawParents.get(item);
    const parent = parentId === undefined ? undefined : byId.get(idKey(parentId));
    const linked: IntegrationItem = {
      ...item,
      parent_id: parent?.id ?? null,
      parent_path_or_name: parent?.name ?? null,
    };
    if (parentId !== undefined) rawParents.set(linked, parentId);
    return linked;
  });
}

const REVOKE_TIMEOUT_MS = 20_000;

/** Revokes the connection's token at Notion; throws when Notion did not confirm it. */
async function revoke(
  tokens: { accessToken: string; refreshToken: string | null },
  app: { apiUrl: string; clientId: string; clientSecret: string; fetch: Fetch },
): Promise<void> {
  let response: Response;
  try {
    response = await app.fetch(`${app.apiUrl}/v1/oauth/revoke`, {
      method: "POST",
      headers: {
        ...versionHeader,
        Authorization: `Basic ${btoa(`${app.clientId}:${app.clientSecret}`)}`,
        "Content-Type": "application/json",
        Accept: "application/json",
      },
      body: JSON.stringify({ token: tokens.accessToken }),
      signal: AbortSignal.timeout(REVOKE_TIMEOUT_MS),
    });
  } catch (error) {
    throw new ProviderError("Notion could not be reached to revoke the connection.", {
      cause: error,
    });
  }
  await response.body?.cancel();
  if (!response.ok) {
    throw new ProviderError(`Notion did not revoke the connection (HTTP ${response.status}).`);
  }
}
