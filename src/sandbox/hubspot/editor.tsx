/**
 * Changing the sandbox account's records, as a user would in HubSpot, to watch the hub's next
 * sync pick the change up: a small page (`GET /edit`) and the same as JSON for tests
 * (`POST /edit` with a form or a JSON body). Edits live in this process's memory, on top of the
 * seeded account, until the hub restarts.
 */
import type { Hono } from "hono";
import { z } from "zod";
import { SandboxEditPage } from "../../../views/sandbox/hubspot_editor.tsx";
import { LAST_MODIFIED, type ObjectType } from "./data.ts";
import { type EditOutcome, editRoutes } from "../edit_routes.ts";
import type { HubspotState } from "./state.ts";

const editSchema = z.discriminatedUnion("action", [
  z.object({
    action: z.literal("rename"),
    type: z.enum(["contacts", "companies", "deals"]),
    id: z.string().min(1).max(40),
    name: z.string().trim().min(1).max(200),
  }),
  z.object({
    action: z.literal("add"),
    type: z.enum(["contacts", "companies", "deals"]),
    name: z.string().trim().min(1).max(200),
  }),
  z.object({
    action: z.literal("delete"),
    type: z.enum(["contacts", "companies", "deals"]),
    id: z.string().min(1).max(40),
  }),
]);
type Edit = z.infer<typeof editSchema>;

/** Sets a record's name the way its type names it (a contact: first and last name). */
function nameProperties(type: ObjectType, name: string): Record<string, string> {
  if (type === "contacts") {
    const [first, ...rest] = name.split(" ");
    return { firstname: first, lastname: rest.join(" ") };
  }
  return type === "companies" ? { name } : { dealname: name };
}

/** Applies an edit; answers what was done, or why it could not be. */
export function applyEdit(state: HubspotState, edit: Edit): EditOutcome {
  const records = state.data[edit.type];
  const now = new Date(state.clock()).toISOString();
  if (edit.action === "add") {
    const id = String(900_000_000 + records.length);
    records.push({
      id,
      properties: {
        ...nameProperties(edit.type, edit.name),
        createdate: now,
        [LAST_MODIFIED[edit.type]]: now,
        hs_object_id: id,
      },
      createdAt: now,
      updatedAt: now,
      archived: false,
    });
    return { status: 200, message: `Added ${edit.type} ${id}.` };
  }
  const record = records.find((r) => r.id === edit.id && !r.archived);
  if (record === undefined) return { status: 404, message: `No live ${edit.type} ${edit.id}.` };
  if (edit.action === "delete") {
    record.archived = true;
    record.archivedAt = now;
    return { status: 200, message: `Deleted ${edit.type} ${edit.id}.` };
  }
  Object.assign(record.properties, nameProperties(edit.type, edit.name), {
    [LAST_MODIFIED[edit.type]]: now,
  });
  record.updatedAt = now;
  return { status: 200, message: `Renamed ${edit.type} ${edit.id}.` };
}

export function hubspotEditor(state: HubspotState): Hono {
  return editRoutes({
    schema: editSchema,
    refused: "Choose rename, add or delete, a type, and an id or a name.",
    apply: (edit) => applyEdit(state, edit),
    page: (message) => <SandboxEditPage data={state.data} message={message} />,
  });
}
