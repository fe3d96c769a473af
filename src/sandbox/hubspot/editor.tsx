/**
 * Changing the sandbox account's records, as a user would in HubSpot, to watch the hub's next
 * sync pick the change up: a small page (`GET /edit`) and the same as JSON for tests
 * (`POST /edit` with a form or a JSON body). Edits live in this process's memory, on top of the
 * seeded account, until the hub restarts.
 */
import { Hono } from "hono";
import { z } from "zod";
import { SandboxEditPage } from "../../../views/sandbox/hubspot_editor.tsx";
import { LAST_MODIFIED, type ObjectType } from "./data.ts";
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
export function applyEdit(state: HubspotState, edit: Edit): { ok: boolean; message: string } {
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
    return { ok: true, message: `Added ${edit.type} ${id}.` };
  }
  const record = records.find((r) => r.id === edit.id && !r.archived);
  if (record === undefined) return { ok: false, message: `No live ${edit.type} ${edit.id}.` };
  if (edit.action === "delete") {
    record.archived = true;
    record.archivedAt = now;
    return { ok: true, message: `Deleted ${edit.type} ${edit.id}.` };
  }
  Object.assign(record.properties, nameProperties(edit.type, edit.name), {
    [LAST_MODIFIED[edit.type]]: now,
  });
  record.updatedAt = now;
  return { ok: true, message: `Renamed ${edit.type} ${edit.id}.` };
}

export function hubspotEditor(state: HubspotState): Hono {
  const app = new Hono();
  app.get("/edit", (c) => c.html(<SandboxEditPage data={state.data} message={null} />));
  app.post("/edit", async (c) => {
    const json = (c.req.header("Content-Type") ?? "").startsWith("application/json");
    const body = json
      ? await c.req.json().catch(() => null)
      : await c.req.parseBody().catch(() => null);
    const edit = editSchema.safeParse(body);
    if (!edit.success) {
      const message = "Choose rename, add or delete, a type, and an id or a name.";
      return json
        ? c.json({ ok: false, message }, 400)
        : c.html(<SandboxEditPage data={state.data} message={message} />, 400);
    }
    const done = applyEdit(state, edit.data);
    if (json) return c.json(done, done.ok ? 200 : 404);
    return c.html(
      <SandboxEditPage data={state.data} message={done.message} />,
      done.ok ? 200 : 404,
    );
  });
  return app;
}
