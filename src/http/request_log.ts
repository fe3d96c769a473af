import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { withFields } from "../log.ts";
import { isProviderId } from "../providers/registry.ts";
import type { HubEnv } from "../services.ts";

/** An id a caller or proxy sent is kept when it is plainly an id; anything else is replaced. */
const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * One JSON line per request, and a request id on every line logged while serving it (also
 * answered as X-Request-Id). Only the matched route is logged, never the path itself, whose
 * parts may carry a connect-link token, nor any query value, header or cookie.
 */
export function requestLog(clock: () => number): MiddlewareHandler<HubEnv> {
  return async (c, next) => {
    const services = c.get("services");
    const sent = c.req.header("X-Request-Id");
    const requestId = sent !== undefined && REQUEST_ID.test(sent) ? sent : crypto.randomUUID();
    c.set("log", withFields(services.log, { request_id: requestId }));
    const started = clock();
    await next();
    c.header("X-Request-Id", requestId);
    const status = c.res.status;
    const provider = c.req.param("provider");
    const failure = c.get("failure");
    const fields = {
      method: c.req.method,
      route: status === 404 && routePath(c, -1) === "/*" ? null : routePath(c, -1),
      ...(provider !== undefined && isProviderId(provider) ? { provider } : {}),
      status,
      ms: clock() - started,
      caller: c.get("caller")?.kind ?? "none",
      ...(failure ? { error_code: failure.code, reason: failure.message } : {}),
    };
    const log = c.get("log");
    if (status >= 500) log.error("request", fields);
    else if (status >= 400) log.warn("request", fields);
    else log.info("request", fields);
  };
}
