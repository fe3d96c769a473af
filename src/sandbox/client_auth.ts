/**
 * How a sandbox's token endpoint authenticates the app, as named styles: the provider decides
 * the style, this module decides the verdict, and each sandbox answers a refusal in its own
 * wire shape.
 */

/**
 * `body`: client_id and client_secret in the form body, any Basic header ignored (HubSpot).
 * `basic`: HTTP Basic required; a secret only in the body is refused (Notion, Airtable). An app
 * registered without a secret (`clientSecret: ""`) is a public client: no Basic, client_id in
 * the body.
 */
export type ClientAuthStyle = "body" | "basic";

export type ClientAuthFailure =
  /** No usable Basic header where one is required. */
  | "basic_required"
  /** A Basic header from a public client, which has no secret to send. */
  | "basic_forbidden"
  /** Basic credentials that are not the app's. */
  | "bad_credentials"
  /** The client_id is missing or not the app's. */
  | "unknown_client"
  /** The body's client_secret is missing or wrong. */
  | "bad_secret"
  /** A body client_id beside Basic names another client. */
  | "client_mismatch";

export interface ClientAuthRequest {
  authorization: string | undefined;
  clientId: string | null;
  clientSecret: string | null;
}

/** Why the app's credentials are refused, or null when they are good. */
export function clientAuthFailure(
  style: ClientAuthStyle,
  app: { clientId: string; clientSecret: string },
  request: ClientAuthRequest,
): ClientAuthFailure | null {
  if (style === "body") {
    if (request.clientId !== app.clientId) return "unknown_client";
    return request.clientSecret === app.clientSecret ? null : "bad_secret";
  }
  if (app.clientSecret === "") {
    if (request.authorization !== undefined) return "basic_forbidden";
    return request.clientId === app.clientId ? null : "unknown_client";
  }
  const basic = basicCredentials(request.authorization);
  if (basic === null) return "basic_required";
  if (basic.id !== app.clientId || basic.secret !== app.clientSecret) return "bad_credentials";
  if (request.clientId !== null && request.clientId !== basic.id) return "client_mismatch";
  return null;
}

/** The id and secret of an `Authorization: Basic` header; null when absent or malformed. */
export function basicCredentials(
  header: string | undefined,
): { id: string; secret: string } | null {
  const encoded = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "")?.[1];
  if (encoded === undefined) return null;
  let decoded: string;
  try {
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0)),
    );
  } catch {
    return null;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}
