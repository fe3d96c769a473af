/**
 * The hub's side of a provider listing against a sandbox served over real HTTP, through the
 * hub's own pieces: its authorization URL (PKCE when the spec says so), the consent page, the
 * generic token client, the token keeper, ProviderApiClient (pacing, retries, refresh on 401),
 * runChains and the spec's finishItems. The provider end-to-end tests share it.
 */
import assert from "node:assert/strict";
import { generateCodeVerifier, generateState } from "arctic";
import { type Connection, Connections, type Owner } from "../connections/connections.ts";
import { requestToken } from "../connections/token_client.ts";
import { TokenKeeper } from "../connections/token_keeper.ts";
import { Sealer } from "../crypto/sealer.ts";
import { runChains } from "../items/chains.ts";
import type { IntegrationItem } from "../contract/item.ts";
import { ProviderApiClient } from "../items/provider_api.ts";
import type { ApiRequest } from "../contract/calls.ts";
import { Pacer } from "../pacing/pacer.ts";
import { buildAuthorizationUrl } from "../oauth/authorize_url.ts";
import { connectionFrom } from "../oauth/flow.ts";
import type { ActiveProvider, ProviderApp, ProviderId } from "../providers/registry.ts";
import type { ChainPosition } from "../contract/chains.ts";
import type { ProviderSpec } from "../providers/spec.ts";
import { createKvStore } from "../store/kv_store.ts";
import { decideOnConsent } from "./browser.ts";

export const SESSION_OWNER: Owner = { userId: "ada", orgId: "acme" };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The provider app the hub would have for a sandbox at `base`. */
export interface SandboxApp {
  base: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  authorizePath: string;
  tokenPath: string;
}

export function providerAt(spec: ProviderSpec<ProviderId>, sandbox: SandboxApp): ActiveProvider {
  const app: ProviderApp = {
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    redirectUri: sandbox.redirectUri,
    authorizeUrl: `${sandbox.base}${sandbox.authorizePath}`,
    tokenUrl: `${sandbox.base}${sandbox.tokenPath}`,
    apiUrl: sandbox.base,
    sandbox: true,
    fetch,
  };
  return { spec, app };
}

/** The hub's half of the flow: its authorization URL (checked by `checkUrl`), consent, exchange. */
export async function hubConnect(
  provider: ActiveProvider,
  pacer: Pacer,
  checkUrl: (url: URL) => void = () => {},
): Promise<Connection> {
  const { oauth } = provider.spec;
  const verifier = oauth.pkce ? generateCodeVerifier() : null;
  const url = buildAuthorizationUrl(oauth, provider.app, generateState(), verifier);
  checkUrl(url);
  const back = await decideOnConsent(url, "approve");
  const response = await requestToken(oauth, provider.app, {
    grantType: "authorization_code",
    code: back.searchParams.get("code")!,
    codeVerifier: verifier,
  });
  const deps = { pacer, sleep, clock: Date.now };
  return await connectionFrom(deps, provider, SESSION_OWNER, response, Date.now());
}

export interface ListingSession {
  connections: Connections;
  /** One hub items request: a page of `limit` (or everything) from these positions. */
  list(
    limit: number | null,
    positions?: ChainPosition[],
  ): Promise<{ items: IntegrationItem[]; remaining: ChainPosition[] }>;
  /** Pages through everything with `limit`, calling `between` after each page. */
  listAll(
    limit: number,
    between?: (page: number) => Promise<void> | void,
  ): Promise<IntegrationItem[]>;
  /** Provider calls made so far. */
  calls(): number;
  /** Runs `f` on every provider call from now on, and waits for it before the call is sent. */
  onCall(f: (request: ApiRequest) => void | Promise<void>): void;
  /** The stored connection. */
  connection(): Promise<Connection>;
  close(): void;
}

/** A stored connection, a keeper, one shared pacer, and listings through them. */
export async function listingSession(
  provider: ActiveProvider,
  checkUrl?: (url: URL) => void,
): Promise<ListingSession> {
  const { spec } = provider;
  const kv = await Deno.openKv(":memory:");
  const store = createKvStore(kv);
  const connections = new Connections(store, new Sealer([{ id: "k", key: new Uint8Array(32) }]));
  const keeper = new TokenKeeper({
    store,
    connections,
    clock: Date.now,
    sleep,
    refreshMarginMs: 0,
  });
  const pacer = new Pacer({ store, clock: Date.now, sleep });
  await connections.save(await hubConnect(provider, pacer, checkUrl));
  let calls = 0;
  let onCall = (_request: ApiRequest): void | Promise<void> => {};
  const connection = async () => (await connections.get(spec.id, SESSION_OWNER))!;
  const list = async (limit: number | null, positions = spec.startChains()) => {
    const current = await connection();
    const api = new ProviderApiClient({
      provider,
      connection: current,
      keeper,
      pacer: pacer.session(),
      sleep,
      onCall: (request) => {
        calls++;
        return onCall(request);
      },
    });
    const result = await runChains({
      positions,
      limit,
      callBudget: null,
      maxPageSize: spec.maxPageSize,
      fetchPage: (position, size) => spec.fetchPage(position, size, api, current),
    });
    const items = spec.finishItems ? spec.finishItems(result.items) : result.items;
    return { items, remaining: result.remaining };
  };
  return {
    connections,
    list,
    listAll: async (limit, between = () => {}) => {
      const items: IntegrationItem[] = [];
      let positions = spec.startChains();
      for (let page = 1; positions.length > 0; page++) {
        const result = await list(limit, positions);
        assert.ok(result.items.length <= limit);
        items.push(...result.items);
        positions = result.remaining;
        await between(page);
      }
      return items;
    },
    calls: () => calls,
    onCall: (f) => void (onCall = f),
    connection,
    close: () => kv.close(),
  };
}

/**
 * One sandbox in the provider end-to-end table: how to serve it, and what its listings must show
 * beyond what every provider's must.
 */
export interface ListingCase<Control> {
  name: string;
  spec: ProviderSpec<ProviderId>;
  /** Serves the sandbox on its own port, with options for the case at hand. */
  serve(options?: Record<string, unknown>): ServedSandbox<Control>;
  /** Every id a whole listing must give, sorted. */
  expectedIds(control: Control): string[];
  /** Each item matches the seeded object it names. */
  assertMatchesSeed(items: IntegrationItem[], control: Control): void;
  /** After any listing: what the sandbox saw of the hub's pacing. */
  assertPaced(control: Control): void;
  checkAuthorizeUrl(url: URL): void;
  /** What only this provider's whole listing shows (names, parents, calls, the account). */
  checkUnpaged(items: IntegrationItem[], session: ListingSession, control: Control): Promise<void>;
  /** After a mid-listing refresh: what else this sandbox counted (none by default). */
  afterRefresh?(control: Control): void;
  /** A sandbox of several pages, and the limit to page it with. */
  paged: { options: Record<string, unknown>; limit: number; pages?: (ids: number) => number };
  /** Faults the hub must wait out, and at least how long that takes. */
  rateLimited: {
    options: Record<string, unknown>;
    spec: ProviderSpec<ProviderId>;
    inject(control: Control): void;
    atLeastMs: number;
  };
}

export interface ServedSandbox<Control> {
  app: SandboxApp;
  control: Control;
  close(): Promise<void>;
}
