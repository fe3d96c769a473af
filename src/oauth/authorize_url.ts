import { CodeChallengeMethod, OAuth2Client } from "arctic";
import type { ProviderConfig } from "../providers/spec.ts";
import type { OAuthStyle } from "../providers/spec.ts";

/** Builds the provider's authorization URL with arctic (state, scopes, PKCE, extra params). */
export function buildAuthorizationUrl(
  style: OAuthStyle,
  app: ProviderConfig,
  state: string,
  codeVerifier: string | null,
): URL {
  const client = new OAuth2Client(app.clientId, app.clientSecret, app.redirectUri);
  const url = codeVerifier === null
    ? client.createAuthorizationURL(app.authorizeUrl, state, style.scopes)
    : client.createAuthorizationURLWithPKCE(
      app.authorizeUrl,
      state,
      CodeChallengeMethod.S256,
      codeVerifier,
      style.scopes,
    );
  for (const [name, value] of Object.entries(style.authorizeParams)) {
    url.searchParams.set(name, value);
  }
  return url;
}
