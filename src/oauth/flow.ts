import { generateCodeVerifier, generateState } from "arctic";
import { z } from "zod";
import type { Connection, Connections, Owner } from "../connections/connections.ts";
import { readTokenSet } from "../connections/token_set.ts";
import { InvalidStateError, ProviderError } from "../errors.ts";
import { parseJson } from "../json.ts";
import type { ActiveProvider } from "../providers/registry.ts";
import { keys } from "../store/keys.ts";
import type { Store } from "../store/store.ts";
import { buildAuthorizationUrl, requestToken, TokenRequestError } from "./token_client.ts";

/** How long a user has to finish the provider's consent screen. */
export const STATE_TTL_MS = 10 * 60 * 1000;

const stateRecordSchema = z.object({
  provider: z.string(),
  userId: z.string(),
  orgId: z.string(),
  /** Started from a browser session: only that session may finish it. */
  sessionBound: z.boolean(),
  codeVerifier: z.string().nullable(),
});

export interface OAuthDeps {
  store: Store;
  connections: Connections;
  clock: () => number;
}

/** Creates a one-time state bound to provider, user and org, and the URL to send the user to. */
export async function startAuthorization(
  deps: OAuthDeps,
  provider: ActiveProvider,
  owner: Owner,
  options: { sessionBound: boolean },
): Promise<string> {
  const state = generateState();
  const codeVerifier = provider.spec.oauth.pkce ? generateCodeVerifier() : null;
  const record: z.infer<typeof stateRecordSchema> = {
    provider: provider.spec.id,
    userId: owner.userId,
    orgId: owner.orgId,
    sessionBound: options.sessionBound,
    codeVerifier,
  };
  await deps.store.set(keys.oauthState(state), JSON.stringify(record), { ttlMs: STATE_TTL_MS });
  return buildAuthorizationUrl(provider.spec.oauth, provider.app, state, codeVerifier).toString();
}

export type CallbackQuery =
  | { kind: "code"; code: string; state: string }
  | { kind: "error"; error: string; state: string };

/** The user refused at the provider's consent screen. */
export class AuthorizationCancelledError extends Error {
  constructor(readonly owner: Owner) {
    super("The authorization was cancelled at the provider.");
    this.name = "AuthorizationCancelledError";
  }
}

/**
 * Finishes an authorization: takes the state (once), checks it belongs to this provider and,
 * when it was started from a browser, to this browser's session; exchanges the code and
 * stores the connection, replacing an earlier one in place.
 */
export async function completeAuthorization(
  deps: OAuthDeps,
  provider: ActiveProvider,
  query: CallbackQuery,
  session: Owner | null,
): Promise<Connection> {
  const raw = await deps.store.take(keys.oauthState(query.state));
  const parsed = raw === null ? null : stateRecordSchema.safeParse(parseJson(raw));
  if (parsed === null || !parsed.success) {
    throw new InvalidStateError(
      "This sign-in link is missing, expired (links last 10 minutes) or was already used. Start the connection again from the dashboard.",
    );
  }
  const record = parsed.data;
  if (record.provider !== provider.spec.id) {
    throw new InvalidStateError(
      "This sign-in was started for another provider. Start the connection again from the dashboard.",
    );
  }
  const owner: Owner = { userId: record.userId, orgId: record.orgId };
  if (
    record.sessionBound &&
    (session === null || session.userId !== owner.userId || session.orgId !== owner.orgId)
  ) {
    throw new InvalidStateError(
      "This sign-in was started by another session. Start the connection again from your own dashboard.",
    );
  }
  if (query.kind === "error") throw new AuthorizationCancelledError(owner);

  const now = deps.clock();
  let response: Record<string, unknown>;
  try {
    response = await requestToken(provider.spec.oauth, provider.app, {
      grantType: "authorization_code",
      code: query.code,
      codeVerifier: record.codeVerifier,
    });
  } catch (error) {
    if (error instanceof TokenRequestError) {
      throw new ProviderError(
        `${provider.spec.displayName} did not accept the authorization: ${error.message} Start the connection again.`,
        { cause: error },
      );
    }
    throw error;
  }
  const connection = await connectionFrom(provider, owner, response, now);
  await deps.connections.save(connection);
  return connection;
}

/** A fresh connection from a code exchange's answer: its tokens and the account it reaches. */
export async function connectionFrom(
  provider: ActiveProvider,
  owner: Owner,
  response: Record<string, unknown>,
  now: number,
): Promise<Connection> {
  const tokens = readTokenSet(response, null, now);
  const info = await provider.spec.readAccount(response, provider.app);
  return {
    provider: provider.spec.id,
    owner,
    status: "connected",
    account: info.account,
    scopes: info.scopes,
    connectedAt: new Date(now).toISOString(),
    extra: info.extra,
    lastError: null,
    tokens,
  };
}
