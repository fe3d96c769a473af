/**
 * A sandbox's edit page and control endpoint, one shape for all three: `GET /edit` shows the
 * page, `POST /edit` takes an edit as a form or a JSON body, applies it and answers the page
 * with its message, or JSON (`ok` and the outcome) for tests. Each sandbox gives its edits'
 * schema, how an edit is applied and its page.
 */
import { Hono } from "hono";
import type { HtmlEscapedString } from "hono/utils/html";
import type { z } from "zod";

export interface EditOutcome {
  /** 200 done, 404 nothing with that id, 422 not possible there. */
  status: 200 | 404 | 422;
  message: string;
  /** The id of what was added. */
  id?: string;
}

export interface EditRoutes<E> {
  schema: z.ZodType<E>;
  /** What an edit the schema refuses is told. */
  refused: string;
  apply: (edit: E) => EditOutcome;
  page: (message: string | null) => HtmlEscapedString | Promise<HtmlEscapedString>;
}

export function editRoutes<E>({ schema, refused, apply, page }: EditRoutes<E>): Hono {
  const app = new Hono();
  app.get("/edit", (c) => c.html(page(null)));
  app.post("/edit", async (c) => {
    const json = (c.req.header("Content-Type") ?? "").startsWith("application/json");
    const body = json
      ? await c.req.json().catch(() => null)
      : await c.req.parseBody().catch(() => null);
    const edit = schema.safeParse(body);
    if (!edit.success) {
      return json ? c.json({ ok: false, message: refused }, 400) : c.html(page(refused), 400);
    }
    const done = apply(edit.data);
    if (json) return c.json({ ok: done.status === 200, ...done }, done.status);
    return c.html(page(done.message), done.status);
  });
  return app;
}
