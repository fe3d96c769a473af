import { generateCodeVerifier, generateState } from "arctic";
import { z } from "zod";
import type { Connection, Owner } from "../connections/connections.ts";
import { requestToken, TokenRequestError } from "../connections/token_client.ts";
import { readTokenSet } from "../connections/token_set.ts";
import { HubError, InvalidStateError, ProviderError } from "../errors.ts";
import { parseJson } from "../json.ts";
import type { ActiveProvider } from "../providers/registry.ts";
import { keys } from "../store/keys.ts";
import type { Store } from "../store/store.ts";
import { buildAuthorizationUrl } from "./authorize_url.ts";
import { connectApi, type ConnectCallDeps } from "./connect_api.ts";

/** How long a user has to finish the provider's consent screen. */
export const STATE_TTL_MS = 10 * 60 * 1000;

/**
 * How long the hub remembers a state after it expired or was used, so that a late or repeated
 * callback can be told apart from one the hub never started.
 */
const STATE_MEMORY_MS = 24 * 60 * 60 * 1000;

const pendingStateSchema = z.object({
  provider: z.string(),
  userId: z.string(),
  orgId: z.string(),
  /** Started from a browser session: only that session may finish it. */
  sessionBound: z.boolean(),
  codeVerifier: z.string().nullable(),
  /** Epoch ms after which the callback is refused as expired. */
  expiresAt: z.number(),
});
/** What is left of a state once a callback has finished with it. */
const usedStateSchema = z.object({ used: z.literal(true) });
const stateRecordSchema = z.union([pendingStateSchema, usedStateSchema]);

/** Why a callback's state was refused; each has its own sentence for the user. */
export type StateFailure =
  | "missing"
  | "unknown"
  | "expired"
  | "replayed"
  | "foreign"
  | "other_provider";

/** A callback whose state cannot be used; `reason` says which way it failed. */
export class CallbackStateError extends InvalidStateError {
  constructor(readonly reason: StateFailure, message: string) {
    super(message);
  }
}

/** The provider refused to exchange the code it had sent back (invalid, expired or used). */
export class CodeRefusedError extends HubError {
  readonly code = "authorization_code_refused";
  readonly status = 400;
}

export interface OAuthDeps extends ConnectCallDeps {
  store: Store;
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
  const record: z.infer<typeof pendingStateSchema> = {
    provider: provider.spec.id,
    userId: owner.userId,
    orgId: owner.orgId,
    sessionBound: options.sessionBound,
    codeVerifier,
    expiresAt: deps.clock() + STATE_TTL_MS,
  };
  await deps.store.set(keys.oauthState(state), JSON.stringify(record), {
    ttlMs: STATE_TTL_MS + STATE_MEMORY_MS,
  });
  return buildAuthorizationUrl(provider.spec.oauth, provider.app, state, codeVerifier).toString();
}

export type CallbackQuery =
  | { kind: "code"; code: string; state: string | null }
  | { kind: "error"; error: string; state: string | null };

/** The user refused at the provider's consent screen. */
export class AuthorizationCancelledError extends Error {
  constructor(readonly owner: Owner) {
    super("The authorization was cancelled at the provider.");
    this.name = "AuthorizationCancelledError";
  }
}

/**
 * Finishes an authorization: takes the state (once), checks it belongs to this provider and,
 * when it was started from a browser, to this browser's session; exchanges the code and answers
 * the new connection for the caller to store (in place of an earlier one). A state refused for
 * belonging to someone else is put back, so its own session can still finish it.
 */
export async function completeAuthorization(
  deps: OAuthDeps,
  provider: ActiveProvider,
  query: CallbackQuery,
  session: Owner | null,
): Promise<Connection> {
  const name = provider.spec.displayName;
  if (query.state === null) {
    throw new CallbackStateError(
      "missing",
      `${name} sent you back without the state that names this connection attempt, so the hub cannot tell whose it was. Nothing was changed; connect again.`,
    );
  }
  const key = keys.oauthState(query.state);
  const raw = await deps.store.take(key);
  const parsed = raw === null ? null : stateRecordSchema.safeParse(parseJson(raw));
  if (raw === null || parsed === null || !parsed.success) {
    throw new CallbackStateError(
      "unknown",
      "The hub has no record of this connection attempt: it was not started here, or more than a day ago. Nothing was changed; connect again.",
    );
  }
  const record = parsed.data;
  const now = deps.clock();
  if ("used" in record) {
    await deps.store.set(key, raw, { ttlMs: STATE_MEMORY_MS });
    throw new CallbackStateError(
      "replayed",
      `This connection attempt was already finished: the provider's answer works only once (reloading the page or going back repeats it). Check the dashboard for ${name}'s status, or connect again.`,
    );
  }
  const putBack = () =>
    deps.store.set(key, raw, { ttlMs: Math.max(1000, record.expiresAt + STATE_MEMORY_MS - now) });
  if (record.provider !== provider.spec.id) {
    await putBack();
    throw new CallbackStateError(
      "other_provider",
      `This connection attempt was started for another provider, not ${name}. Nothing was changed; connect again.`,
    );
  }
  const owner: Owner = { userId: record.userId, orgId: record.orgId };
  if (
    record.sessionBound &&
    (session === null || session.userId !== owner.userId || session.orgId !== owner.orgId)
  ) {
    await putBack();
    throw new CallbackStateError(
      "foreign",
      `This connection attempt was started by another user or in another browser, so this browser cannot finish it. Finish it where it was started, or connect ${name} again here.`,
    );
  }
  if (now > record.expiresAt) {
    await putBack();
    throw new CallbackStateError(
      "expired",
      `This connection attempt expired: ${name}'s consent screen has to be finished within ${
        STATE_TTL_MS / 60_000
      } minutes of pressing Connect. Nothing was changed; connect again.`,
    );
  }
  await deps.store.set(key, JSON.stringify({ used: true }), { ttlMs: STATE_MEMORY_MS });
  if (query.kind === "error") throw new AuthorizationCancelledError(owner);

  let response: Record<string, unknown>;
  try {
    response = await requestToken(provider.spec.oauth, provider.app, {
      grantType: "authorization_code",
      code: query.code,
      codeVerifier: record.codeVerifier,
    });
  } catch (error) {
    if (error instanceof TokenRequestError && refusesTheCode(error)) {
      throw new CodeRefusedError(
        `${name} refused the authorization code it sent back (${error.providerCode}), so ${name} is not connected. A code works once and only for a few minutes; connect again to get a new one.`,
        { cause: error },
      );
    }
    if (error instanceof TokenRequestError) {
      throw new ProviderError(
        `${name} did not accept the authorization: ${error.message} Start the connection again.`,
        { cause: error },
      );
    }
    throw error;
  }
  return await connectionFrom(deps, provider, owner, response, now);
}

/** An OAuth error answer about the grant itself, as opposed to an outage or a misconfigured app. */
function refusesTheCode(error: TokenRequestError): boolean {
  return error.kind === "invalid_grant" ||
    (error.kind === "rejected" && error.providerCode !== null);
}

/** A fresh connection from a code exchange's answer: its tokens and the account it reaches. */
export async function connectionFrom(
  deps: ConnectCallDeps,
  provider: ActiveProvider,
  owner: Owner,
  response: Record<string, unknown>,
  now: number,
): Promise<Connection> {
  const fresh: Connection = {
    provider: provider.spec.id,
    owner,
    status: "connected",
    account: null,
    scopes: [],
    connectedAt: new Date(now).toISOString(),
    extra: {},
    lastError: null,
    tokens: readTokenSet(response, null, now),
  };
  const info = await provider.spec.readAccount(response, connectApi(provider, fresh, deps));
  return { ...fresh, account: info.account, scopes: info.scopes, extra: info.extra };
}
