import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { routePath } from "hono/route";
import {
  errorBody,
  ForbiddenError,
  HubError,
  InvalidRequestError,
  MethodNotAllowedError,
  NotFoundError,
  StoreError,
  UnsupportedMediaTypeError,
} from "../errors.ts";
import type { HubEnv } from "../services.ts";
import { StoreUnavailableError } from "../store/store.ts";
import { MessagePage } from "../../views/message_page.tsx";

const TITLES: Record<number, string> = {
  400: "That request did not work",
  401: "Please sign in",
  403: "Not allowed",
  404: "Not found",
  405: "Not found",
  409: "Needs your attention",
  413: "That was too much to send",
  414: "That address is too long",
  415: "That request did not work",
  431: "That was too much to send",
  502: "The provider failed",
  503: "Temporarily unavailable",
  504: "The provider did not answer",
};

/** Where every answer is JSON, whatever the request asks for (the contract's API paths). */
const JSON_ONLY = /^\/(integrations|api|health)(\/|$)/;

/** A browser asking for a page or an htmx fragment gets HTML errors; anyone else JSON. */
export function wantsHtml(c: Context): boolean {
  return c.req.header("HX-Request") !== undefined ||
    (c.req.header("Accept") ?? "").includes("text/html");
}

/**
 * Errors answer as pages when the request asks for HTML, except under the API's paths, where
 * every answer is JSON; the browser pages that live there (connect, oauth2callback) opt back
 * in with `pageErrors`.
 */
export function errorFormat(): MiddlewareHandler<HubEnv> {
  return async (c, next) => {
    c.set("htmlErrors", wantsHtml(c) && !JSON_ONLY.test(c.req.path));
    await next();
  };
}

/** A browser page's errors follow the request: HTML for a browser, JSON for a program. */
export const pageErrors: MiddlewareHandler<HubEnv> = async (c, next) => {
  c.set("htmlErrors", wantsHtml(c));
  await next();
};

/**
 * The one place failures become answers: the contract's JSON error for programs, a page for
 * browsers. Unexpected errors are logged by name and answered without any detail.
 */
export function handleError(error: Error, c: Context<HubEnv>): Response | Promise<Response> {
  const known = toHubError(error);
  if (known === null) {
    if (error instanceof HTTPException) return error.getResponse();
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

/**
 * Unknown paths are 404 not_found; a known path asked with another method is 405 with Allow.
 * `allowedMethods` names the methods the app's routes answer at a path.
 */
export function notFoundHandler(
  allowedMethods: (path: string) => string[],
): (c: Context<HubEnv>) => Response | Promise<Response> {
  return (c) => {
    const allowed = allowedMethods(c.req.path);
    const where = `${c.req.method} ${c.req.path.slice(0, 200)}`;
    const error = allowed.length > 0
      ? new MethodNotAllowedError(
        `${where} is not answered; this address takes ${allowed.join(", ")}.`,
        allowed,
      )
      : new NotFoundError(`Nothing is served at ${where}.`);
    return handleError(error, c);
  };
}

function toHubError(error: Error): HubError | null {
  if (error instanceof HubError) return error;
  if (error instanceof HTTPException) {
    // Hono's CSRF middleware refuses with a bare 403.
    if (error.status === 403) {
      return new ForbiddenError(
        "This request came from another site and was refused. Use the hub's own pages.",
      );
    }
    // The validators' refusals of a body they cannot read.
    if (error.status === 400) {
      return new InvalidRequestError("Invalid request. The body is not valid JSON.");
    }
    if (error.status === 415) {
      return new UnsupportedMediaTypeError(
        "The body must be JSON, sent with Content-Type: application/json.",
      );
    }
  }
  if (error instanceof StoreUnavailableError) {
    return new StoreError("The hub's store is unavailable; try again shortly.", { cause: error });
  }
  return null;
}
