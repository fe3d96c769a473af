/**
 * Changes to the sandbox workspace as a user makes them in Notion: pages added (under a page,
 * as a database row, or at the top), renamed (pages and databases), edited without a new title
 * (their content: `last_edited_time` moves, the title does not), moved to the trash with their
 * subpages, and restored. Notion rounds `last_edited_time` down to the minute, and so does the
 * sandbox; renaming a page leaves its children's times alone, as in Notion.
 */
import { z } from "zod";
import type { EditOutcome } from "../edit_routes.ts";
import {
  type NotionObject,
  type NotionPage,
  notionUrl,
  type Parent,
  text,
  titleOf,
  WORKSPACE,
} from "./data.ts";
import type { NotionState } from "./state.ts";

const blankToUndefined = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : value;
const id = z.preprocess(blankToUndefined, z.string().trim().min(1).max(40));
const name = z.preprocess(blankToUndefined, z.string().trim().min(1).max(200));

export const editSchema = z.discriminatedUnion("action", [
  /** `id`: the page or database to add to; none: a top-level page. */
  z.object({ action: z.literal("add"), id: id.optional(), name }),
  z.object({ action: z.literal("rename"), id, name }),
  z.object({ action: z.literal("touch"), id }),
  z.object({ action: z.literal("trash"), id }),
  z.object({ action: z.literal("restore"), id }),
]);
export type NotionEdit = z.infer<typeof editSchema>;

export const EDIT_ACTIONS = editSchema.options.map((option) => option.shape.action.value);

/** The minute an edit happens in, as Notion records it. */
export function editedAt(clock: () => number): string {
  return new Date(Math.floor(clock() / 60_000) * 60_000).toISOString();
}

export function applyEdit(state: NotionState, edit: NotionEdit): EditOutcome {
  const now = editedAt(state.clock);
  const { objects } = state.data;
  if (edit.action === "add") {
    const parent = edit.id === undefined ? undefined : objects.find((o) => o.id === edit.id);
    if (edit.id !== undefined && (parent === undefined || parent.in_trash)) {
      return { status: 404, message: `No page or database ${edit.id} is shared.` };
    }
    const page = newPage(state, edit.name, parent, now);
    objects.push(page);
    return { status: 200, message: `Added page ${page.id}.`, id: page.id };
  }
  const object = objects.find((o) => o.id === edit.id);
  if (object === undefined) return { status: 404, message: `No page or database ${edit.id}.` };
  if (edit.action === "restore") {
    for (const o of withDescendants(objects, object)) o.in_trash = o.archived = false;
    object.last_edited_time = now;
    return { status: 200, message: `Restored ${edit.id}.` };
  }
  if (object.in_trash) return { status: 422, message: `${edit.id} is in the trash.` };
  if (edit.action === "trash") {
    for (const o of withDescendants(objects, object)) o.in_trash = o.archived = true;
  } else if (edit.action === "rename") {
    rename(object, edit.name);
  }
  object.last_edited_time = now;
  object.last_edited_by = { object: "user", id: state.data.owner.id };
  const done = { trash: "Moved to the trash", rename: "Renamed", touch: "Edited" }[edit.action];
  return { status: 200, message: `${done} ${edit.id}.` };
}

function rename(object: NotionObject, name: string): void {
  if (object.object === "database") {
    object.title = [text(name)];
  } else {
    const title = Object.values(object.properties).find((p) => p.type === "title");
    if (title?.type === "title") title.title = [text(name)];
  }
  object.url = notionUrl(object.id, titleOf(object));
}

/** The object and everything under it (subpages, rows), which the trash takes along. */
function withDescendants(objects: NotionObject[], root: NotionObject): NotionObject[] {
  const children = new Map<string, NotionObject[]>();
  for (const o of objects) {
    const parentId = o.parent.type === "page_id"
      ? o.parent.page_id
      : o.parent.type === "database_id"
      ? o.parent.database_id
      : null;
    if (parentId !== null) children.set(parentId, [...children.get(parentId) ?? [], o]);
  }
  const found = [root];
  for (let i = 0; i < found.length; i++) found.push(...children.get(found[i].id) ?? []);
  return found;
}

function newPage(
  state: NotionState,
  title: string,
  parent: NotionObject | undefined,
  now: string,
): NotionPage {
  const id = crypto.randomUUID();
  const where: Parent = parent === undefined
    ? WORKSPACE
    : parent.object === "database"
    ? { type: "database_id", database_id: parent.id }
    : { type: "page_id", page_id: parent.id };
  // A database row's title property carries the database's title column name.
  const titleKey = parent?.object === "database"
    ? Object.entries(parent.properties).find(([, p]) => p.type === "title")?.[0] ?? "Name"
    : "title";
  const user = { object: "user" as const, id: state.data.owner.id };
  return {
    object: "page",
    id,
    created_time: now,
    last_edited_time: now,
    created_by: user,
    last_edited_by: user,
    cover: null,
    icon: null,
    parent: where,
    archived: false,
    in_trash: false,
    url: notionUrl(id, title),
    public_url: null,
    properties: { [titleKey]: { id: "title", type: "title", title: [text(title)] } },
  };
}
