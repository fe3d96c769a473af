import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { routePath } from "hono/route";
import { errorBody, ForbiddenError, HubError, StoreError } from "../errors.ts";
import type { HubEnv } from "../services.ts";
import { StoreUnavailableError } from "../store/store.ts";
import { MessagePage } from "../../views/message_page.tsx";

const TITLES: Record<number, string> = {
  400: "That request did not work",
  401: "Please sign in",
  403: "Not allowed",
  404: "Not found",
  409: "Needs your attention",
  413: "That was too much to send",
  414: "That address is too long",
  431: "That was too much to send",
  502: "The provider failed",
  503: "Temporarily unavailable",
  504: "The provider did not answer",
};

/**
 * The one place failures become answers: the contract's JSON error for programs, a page for
 * browsers. Unexpected errors are logged by name and answered without any detail.
 */
export function handleError(error: Error, c: Context<HubEnv>): Response | Promise<Response> {
  const known = toHubError(error);
  if (known === null) {
    if (error instanceof HTTPException && error.status !== 403) return error.getResponse();
    (c.get("log") ?? c.get("services")?.log)?.error("unexpected error", {
      error: error.name,
      route: routePath(c, -1),
    });
  }
  const code = known?.code ?? "internal_error";
  const status = known?.status ?? 500;
  const message = known?.message ??
    "Something went wrong inside the hub. It has been logged; try again.";
  c.set("failure", { code, message });
  for (const [name, value] of Object.entries(known?.headers ?? {})) c.header(name, value);
  if (c.get("htmlErrors")) {
    return c.html(
      <MessagePage title={TITLES[status] ?? "Something went wrong"} message={message} />,
      status,
    );
  }
  return c.json(errorBody(code, message), status);
}

export function handleNotFound(c: Context<HubEnv>): Response | Promise<Response> {
  const message = `Nothing is served at ${c.req.method} ${c.req.path.slice(0, 200)}.`;
  if (c.req.header("Accept")?.includes("text/html")) {
    return c.html(<MessagePage title="Not found" message={message} />, 404);
  }
  return c.json(errorBody("not_found", message), 404);
}

function toHubError(error: Error): HubError | null {
  if (error instanceof HubError) return error;
  // Hono's CSRF middleware refuses with a bare 403.
  if (error instanceof HTTPException && error.status === 403) {
    return new ForbiddenError(
      "This request came from another site and was refused. Use the hub's own pages.",
    );
  }
  if (error instanceof StoreUnavailableError) {
    return new StoreError("The hub's store is unavailable; try again shortly.", { cause: error });
  }
  return null;
}
