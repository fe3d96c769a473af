/**
 * Changing the sandbox account as a user would in Airtable, to watch the hub's next sync pick
 * the change up: a small page (`GET /edit`) and the same edits for tests (`POST /edit` with a
 * form or a JSON body; edits.ts says what each does). Edits live in this process's memory, on
 * top of the seeded account, until the hub restarts.
 */
import { Hono } from "hono";
import { AirtableEditPage } from "../../../views/sandbox/airtable_editor.tsx";
import { applyEdit, editSchema } from "./edits.ts";
import type { AirtableState } from "./state.ts";

export function airtableEditor(state: AirtableState): Hono {
  const app = new Hono();
  app.get("/edit", (c) => c.html(<AirtableEditPage bases={state.bases} message={null} />));
  app.post("/edit", async (c) => {
    const json = (c.req.header("Content-Type") ?? "").startsWith("application/json");
    const body = json
      ? await c.req.json().catch(() => null)
      : await c.req.parseBody().catch(() => null);
    const edit = editSchema.safeParse(body);
    if (!edit.success) {
      const message = "Choose an action, and give the id and name that action needs.";
      return json
        ? c.json({ ok: false, message }, 400)
        : c.html(<AirtableEditPage bases={state.bases} message={message} />, 400);
    }
    const done = applyEdit(state, edit.data);
    if (json) return c.json({ ok: done.status === 200, ...done }, done.status);
    return c.html(<AirtableEditPage bases={state.bases} message={done.message} />, done.status);
  });
  return app;
}
