import {
  ArcticFetchError,
  OAuth2RequestError,
  UnexpectedErrorResponseBodyError,
  UnexpectedResponseError,
} from "arctic";
import type { ProviderApp } from "../providers/registry.ts";
import type { OAuthStyle } from "../providers/spec.ts";

/**
 * How a token request failed. `invalid_grant` means the grant is dead (reconnect);
 * `temporary` and `rate_limited` mean try again later with the stored tokens untouched.
 */
export type TokenFailureKind =
  | "invalid_grant"
  | "invalid_client"
  | "rejected"
  | "temporary"
  | "rate_limited";

export class TokenRequestError extends Error {
  constructor(
    readonly kind: TokenFailureKind,
    /** The provider's OAuth error code when it sent one; never a token. */
    readonly providerCode: string | null,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "TokenRequestError";
  }
}

/** A token endpoint's JSON answer, validated by the provider's own schema afterwards. */
export type TokenResponse = Record<string, unknown>;

export type TokenGrant =
  | { grantType: "authorization_code"; code: string; codeVerifier: string | null }
  | { grantType: "refresh_token"; refreshToken: string };

/**
 * Sends one token request in the provider's style and returns its JSON answer. The app's fetch
 * bounds each try; `signal` can end it sooner (what is left of a refresh's time).
 */
export async function requestToken(
  style: OAuthStyle,
  app: ProviderApp,
  grant: TokenGrant,
  signal?: AbortSignal,
): Promise<TokenResponse> {
  try {
    return await postTokenRequest(style, app, grant, signal);
  } catch (error) {
    throw classify(error);
  }
}

/**
 * HubSpot wants client credentials in the form body and Notion a JSON body, which arctic's
 * client cannot send, and arctic's requests cannot be given a timeout, which a refresh under a
 * lock needs. So every token request goes through this small POST, which answers with
 * arctic's error classes.
 */
async function postTokenRequest(
  style: OAuthStyle,
  app: ProviderApp,
  grant: TokenGrant,
  signal: AbortSignal | undefined,
): Promise<TokenResponse> {
  const fields: Record<string, string> = { grant_type: grant.grantType };
  if (grant.grantType === "authorization_code") {
    fields.code = grant.code;
    fields.redirect_uri = app.redirectUri;
    if (grant.codeVerifier !== null) fields.code_verifier = grant.codeVerifier;
  } else {
    fields.refresh_token = grant.refreshToken;
  }
  const headers = new Headers({ Accept: "application/json", ...style.tokenHeaders });
  if (style.clientAuth === "basic") {
    headers.set("Authorization", `Basic ${btoa(`${app.clientId}:${app.clientSecret}`)}`);
  } else {
    fields.client_id = app.clientId;
    fields.client_secret = app.clientSecret;
  }
  let body: string;
  if (style.tokenBody === "json") {
    headers.set("Content-Type", "application/json");
    body = JSON.stringify(fields);
  } else {
    headers.set("Content-Type", "application/x-www-form-urlencoded");
    body = new URLSearchParams(fields).toString();
  }
  let response: Response;
  try {
    response = await app.fetch(app.tokenUrl, {
      method: "POST",
      headers,
      body,
      signal,
    });
  } catch (error) {
    throw new ArcticFetchError(error);
  }
  const data: unknown = await response.json().catch(() => null);
  if (response.status === 200 && isObject(data)) return data;
  if ((response.status === 400 || response.status === 401) && isObject(data)) {
    throw oauthErrorFrom(response.status, data);
  }
  throw new UnexpectedResponseError(response.status);
}

/** Reads both RFC 6749 (`error`) and Notion (`code`) error bodies. */
function oauthErrorFrom(status: number, data: Record<string, unknown>): Error {
  const code = typeof data.error === "string"
    ? data.error
    : typeof data.code === "string"
    ? data.code
    : null;
  if (code === null) return new UnexpectedErrorResponseBodyError(status, data);
  const description = typeof data.error_description === "string"
    ? data.error_description
    : typeof data.message === "string"
    ? data.message
    : null;
  return new OAuth2RequestError(code, description, null, null);
}

function classify(error: unknown): TokenRequestError {
  if (error instanceof TokenRequestError) return error;
  if (error instanceof OAuth2RequestError) {
    const code = error.code;
    if (code === "invalid_grant") {
      return new TokenRequestError(
        "invalid_grant",
        code,
        "The provider no longer accepts this grant.",
      );
    }
    if (code === "invalid_client" || code === "unauthorized_client") {
      return new TokenRequestError(
        "invalid_client",
        code,
        "The provider rejected the hub's client credentials; check the app's client id and secret.",
      );
    }
    if (code === "rate_limited") {
      return new TokenRequestError(
        "rate_limited",
        code,
        "The provider is rate limiting token requests.",
      );
    }
    return new TokenRequestError(
      "rejected",
      code,
      `The provider rejected the token request (${code}).`,
    );
  }
  if (error instanceof ArcticFetchError) {
    return new TokenRequestError(
      "temporary",
      null,
      "The provider's token endpoint could not be reached.",
      {
        cause: error,
      },
    );
  }
  if (error instanceof UnexpectedResponseError) {
    if (error.status === 429) {
      return new TokenRequestError(
        "rate_limited",
        null,
        "The provider is rate limiting token requests.",
      );
    }
    if (error.status >= 500) {
      return new TokenRequestError(
        "temporary",
        null,
        `The provider's token endpoint failed (HTTP ${error.status}).`,
      );
    }
    return new TokenRequestError(
      "rejected",
      null,
      `The provider's token endpoint answered HTTP ${error.status}.`,
    );
  }
  if (error instanceof UnexpectedErrorResponseBodyError) {
    return new TokenRequestError(
      "rejected",
      null,
      `The provider's token endpoint answered HTTP ${error.status} with an unexpected body.`,
    );
  }
  return new TokenRequestError("temporary", null, "The token request failed unexpectedly.", {
    cause: error,
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
