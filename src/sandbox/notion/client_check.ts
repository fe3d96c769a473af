/** What every Notion OAuth endpoint checks first: the version header and HTTP Basic. */
import type { Context } from "hono";
import { parseJson } from "../../json.ts";
import { clientAuthFailure } from "../client_auth.ts";
import { faultResponse, notionError } from "./errors.ts";
import { type NotionState, sleep, SUPPORTED_VERSIONS } from "./state.ts";

/** Reads a JSON body, or a form body (reported to work too); null when it is neither. */
export async function readBody(c: Context): Promise<Record<string, unknown> | null> {
  const raw = await c.req.text().catch(() => "");
  const type = c.req.header("content-type") ?? "";
  if (type.startsWith("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  const data = raw.trim() === "" ? {} : parseJson(raw);
  return typeof data === "object" && data !== null && !Array.isArray(data)
    ? data as Record<string, unknown>
    : null;
}

/**
 * Injected faults, Notion-Version, then the client's HTTP Basic credentials (a secret only in
 * the body is refused); answers the body, or the refusal to send.
 */
export async function checkClient(
  state: NotionState,
  c: Context,
): Promise<Record<string, unknown> | Response> {
  if (state.latencyMs > 0) await sleep(state.latencyMs);
  const fault = state.faults.token.shift();
  if (fault) return faultResponse(c, fault);
  const version = c.req.header("Notion-Version");
  if (version === undefined) {
    return notionError(c, 400, "missing_version", "Notion-Version header is required.");
  }
  if (!SUPPORTED_VERSIONS.includes(version)) {
    return notionError(
      c,
      400,
      "validation_error",
      `Notion-Version ${version.slice(0, 40)} is not supported by this sandbox.`,
    );
  }
  const body = await readBody(c);
  // Notion reads the client from Basic alone: a body client_id is not compared.
  const failure = clientAuthFailure("basic", state, {
    authorization: c.req.header("Authorization"),
    clientId: null,
    clientSecret: null,
  });
  if (failure === "basic_required") {
    const hint = body !== null && "client_secret" in body
      ? " Send client_id and client_secret as HTTP Basic, not in the body."
      : "";
    return notionError(c, 401, "invalid_client", `Basic authentication is required.${hint}`);
  }
  if (failure !== null) {
    return notionError(c, 401, "invalid_client", "Invalid client credentials.");
  }
  if (body === null) return notionError(c, 400, "invalid_json", "Error parsing JSON body.");
  return body;
}
