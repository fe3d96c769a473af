/**
 * Changing the sandbox workspace as a user would in Notion, to watch the hub's next sync pick
 * the change up: a small page (`GET /edit`) and the same edits for tests (`POST /edit` with a
 * form or a JSON body; edits.ts says what each does). Edits live in this process's memory, on
 * top of the seeded workspace, until the hub restarts.
 */
import type { Hono } from "hono";
import { NotionEditPage } from "../../../views/sandbox/notion_editor.tsx";
import { editRoutes } from "../edit_routes.ts";
import { applyEdit, editSchema } from "./edits.ts";
import type { NotionState } from "./state.ts";

export function notionEditor(state: NotionState): Hono {
  return editRoutes({
    schema: editSchema,
    refused: "Choose an action, and give the id and name that action needs.",
    apply: (edit) => applyEdit(state, edit),
    page: (message) => <NotionEditPage objects={state.data.objects} message={message} />,
  });
}
