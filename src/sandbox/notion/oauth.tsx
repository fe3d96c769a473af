/** Notion's authorization page, emulated: validation, consent (page picker), redirect back. */
import { Hono } from "hono";
import { z } from "zod";
import { NotionConsent } from "../../../views/sandbox/notion_consent.tsx";
import { SandboxErrorPage } from "../../../views/sandbox/sandbox_page.tsx";
import { titleOf } from "./data.ts";
import type { NotionState } from "./state.ts";

const authorizeSchema = z.object({
  client_id: z.string().max(200).optional(),
  response_type: z.string().max(50).optional(),
  owner: z.string().max(50).optional(),
  redirect_uri: z.string().max(2000).optional(),
  state: z.string().max(2000).optional(),
});
type AuthorizeRequest = z.infer<typeof authorizeSchema>;

/** The redirect target, or the refusal Notion shows on its own page (it never redirects then). */
function check(state: NotionState, request: AuthorizeRequest): { target: string } | {
  refusal: string;
} {
  // Notion checks the redirect against the client's registered URIs: an unknown client has
  // none, so both mistakes end on the same page.
  const badRedirect = "Something went wrong. Missing or invalid redirect_uri.";
  if (request.client_id !== state.clientId) return { refusal: badRedirect };
  const target = request.redirect_uri ??
    (state.redirectUris.length === 1 ? state.redirectUris[0] : undefined);
  if (target === undefined || !state.redirectUris.includes(target)) return { refusal: badRedirect };
  if (request.response_type !== "code") {
    return { refusal: "Something went wrong. response_type must be code." };
  }
  if (request.owner !== "user") return { refusal: "Something went wrong. owner must be user." };
  return { target };
}

export function notionOAuth(state: NotionState): Hono {
  const app = new Hono();

  app.get("/v1/oauth/authorize", (c) => {
    const parsed = authorizeSchema.safeParse(c.req.query());
    const result = parsed.success
      ? check(state, parsed.data)
      : { refusal: "Something went wrong. Missing or invalid redirect_uri." };
    if (!parsed.success || "refusal" in result) {
      return c.html(<SandboxErrorPage provider="Notion" message={refusalOf(result)} />, 400);
    }
    const request = parsed.data;
    const fields: Record<string, string> = {};
    for (const name of ["client_id", "response_type", "owner", "redirect_uri", "state"] as const) {
      const value = request[name];
      if (value !== undefined) fields[name] = value;
    }
    const shared = new Set(state.data.objects.map((o) => o.id));
    const visible = state.data.objects.filter((o) => !o.in_trash);
    const top = visible.filter((o) => {
      const p = o.parent;
      return p.type === "workspace" || p.type === "block_id" ||
        (p.type === "page_id" && !shared.has(p.page_id));
    });
    return c.html(
      <NotionConsent
        action={c.req.path}
        workspaceName={state.data.workspace.name}
        userEmail={state.data.owner.person.email}
        pages={top.map((o) => ({
          title: shorten(titleOf(o)),
          icon: o.icon?.type === "emoji" ? o.icon.emoji : null,
        }))}
        nestedCount={visible.length - top.length}
        fields={fields}
      />,
    );
  });

  app.post("/v1/oauth/authorize", async (c) => {
    const form = await c.req.parseBody().catch(() => ({}));
    const parsed = authorizeSchema.extend({ decision: z.enum(["approve", "deny"]) }).safeParse(
      form,
    );
    const result = parsed.success
      ? check(state, parsed.data)
      : { refusal: "The form was incomplete." };
    if (!parsed.success || "refusal" in result) {
      return c.html(<SandboxErrorPage provider="Notion" message={refusalOf(result)} />, 400);
    }
    const request = parsed.data;
    const target = new URL(result.target);
    if (request.decision === "deny") {
      target.searchParams.set("error", "access_denied");
    } else {
      const code = await state.oauth.issueCode({
        clientId: state.clientId,
        redirectUri: request.redirect_uri ?? null,
        scopes: [],
        challenge: null,
      });
      target.searchParams.set("code", code);
    }
    target.searchParams.set("state", request.state ?? "");
    return c.redirect(target.toString(), 302);
  });

  return app;
}

function refusalOf(result: { target: string } | { refusal: string }): string {
  return "refusal" in result ? result.refusal : "";
}

function shorten(title: string): string {
  return title.length > 80 ? `${title.slice(0, 79)}…` : title;
}
