/** Notion's search (version 2022-06-28): body rules, title matching, ordering and cursors. */
import { z } from "zod";
import { type NotionObject, titleOf } from "./data.ts";
import { CURSOR_TTL_MS, type NotionState, type SearchCursor } from "./state.ts";

export const searchBodySchema = z.strictObject({
  query: z.string().max(2000).optional(),
  filter: z.strictObject({
    property: z.literal("object"),
    value: z.enum(["page", "database"]),
  }).optional(),
  sort: z.strictObject({
    timestamp: z.literal("last_edited_time"),
    direction: z.enum(["ascending", "descending"]),
  }).optional(),
  start_cursor: z.string().max(200).optional(),
  page_size: z.number().int().min(1).max(100).default(100),
});
export type SearchBody = z.infer<typeof searchBodySchema>;

export interface SearchAnswer {
  object: "list";
  results: NotionObject[];
  next_cursor: string | null;
  has_more: boolean;
  type: "page_or_database";
  page_or_database: Record<string, never>;
}

/** Notion's validation message for the first problem in a body. */
export function validationMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = ["body", ...issue.path.map(String)].join(".");
  return `body failed validation: ${path} ${issue.message}`;
}

/** Everything search can show: shared and not in the trash. */
export function searchable(state: NotionState): NotionObject[] {
  return state.data.objects.filter((o) => !o.in_trash && !o.archived);
}

/**
 * One page of results, or null when the cursor is unknown, expired, or belongs to another
 * connection or another query. Without a sort, most recently edited comes first.
 */
export async function search(
  state: NotionState,
  botId: string,
  body: SearchBody,
): Promise<SearchAnswer | null> {
  const signature = JSON.stringify([body.query ?? "", body.filter?.value ?? "", body.sort ?? null]);
  let offset = 0;
  if (body.start_cursor !== undefined) {
    const cursor = await state.records.cursors.get(body.start_cursor);
    if (cursor === undefined || cursor.botId !== botId || cursor.signature !== signature) {
      return null;
    }
    offset = cursor.offset;
  }
  const needle = (body.query ?? "").trim().toLowerCase();
  const ascending = body.sort?.direction === "ascending";
  const matches = searchable(state)
    .filter((o) => body.filter === undefined || o.object === body.filter.value)
    .filter((o) => needle === "" || titleOf(o).toLowerCase().includes(needle))
    .sort((a, b) => {
      const byTime = a.last_edited_time.localeCompare(b.last_edited_time) ||
        a.id.localeCompare(b.id);
      return ascending ? byTime : -byTime;
    });
  const results = matches.slice(offset, offset + body.page_size);
  const end = offset + results.length;
  const hasMore = end < matches.length;
  return {
    object: "list",
    results,
    next_cursor: hasMore ? await cursorFor(state, { botId, signature, offset: end }) : null,
    has_more: hasMore,
    type: "page_or_database",
    page_or_database: {},
  };
}

/** The same position always gets the same cursor, a UUID as Notion's are. */
async function cursorFor(state: NotionState, position: SearchCursor): Promise<string> {
  const { cursors, cursorIds } = state.records;
  const key = JSON.stringify([position.botId, position.signature, position.offset]);
  const known = await cursorIds.get(key);
  if (known !== undefined && await cursors.get(known) !== undefined) return known;
  const id = crypto.randomUUID();
  await cursors.set(id, position, CURSOR_TTL_MS);
  await cursorIds.set(key, id, CURSOR_TTL_MS);
  return id;
}
