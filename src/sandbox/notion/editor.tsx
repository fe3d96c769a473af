/**
 * Changing the sandbox workspace as a user would in Notion, to watch the hub's next sync pick
 * the change up: a small page (`GET /edit`) and the same edits for tests (`POST /edit` with a
 * form or a JSON body; edits.ts says what each does). Edits live in this process's memory, on
 * top of the seeded workspace, until the hub restarts.
 */
import { Hono } from "hono";
import { NotionEditPage } from "../../../views/sandbox/notion_editor.tsx";
import { applyEdit, editSchema } from "./edits.ts";
import type { NotionState } from "./state.ts";

export function notionEditor(state: NotionState): Hono {
  const app = new Hono();
  const page = (message: string | null) => (
    <NotionEditPage objects={state.data.objects} message={message} />
  );
  app.get("/edit", (c) => c.html(page(null)));
  app.post("/edit", async (c) => {
    const json = (c.req.header("Content-Type") ?? "").startsWith("application/json");
    const body = json
      ? await c.req.json().catch(() => null)
      : await c.req.parseBody().catch(() => null);
    const edit = editSchema.safeParse(body);
    if (!edit.success) {
      const message = "Choose an action, and give the id and name that action needs.";
      return json ? c.json({ ok: false, message }, 400) : c.html(page(message), 400);
    }
    const done = applyEdit(state, edit.data);
    if (json) return c.json({ ok: done.status === 200, ...done }, done.status);
    return c.html(page(done.message), done.status);
  });
  return app;
}
