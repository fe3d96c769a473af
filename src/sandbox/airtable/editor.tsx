/**
 * Changing the sandbox account as a user would in Airtable, to watch the hub's next sync pick
 * the change up: a small page (`GET /edit`) and the same edits for tests (`POST /edit` with a
 * form or a JSON body; edits.ts says what each does). Edits live in this process's memory, on
 * top of the seeded account, until the hub restarts.
 */
import type { Hono } from "hono";
import { AirtableEditPage } from "../../../views/sandbox/airtable_editor.tsx";
import { editRoutes } from "../edit_routes.ts";
import { applyEdit, editSchema } from "./edits.ts";
import type { AirtableState } from "./state.ts";

export function airtableEditor(state: AirtableState): Hono {
  return editRoutes({
    schema: editSchema,
    refused: "Choose an action, and give the id and name that action needs.",
    apply: (edit) => applyEdit(state, edit),
    page: (message) => <AirtableEditPage bases={state.bases} message={message} />,
  });
}
