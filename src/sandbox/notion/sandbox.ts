/**
 * The sandbox Notion: an emulation of Notion's OAuth (Basic auth, JSON bodies, rotating
 * refresh tokens, no expires_in) and its search API (version 2022-06-28, sorted by
 * last_edited_time, trashed pages left out), with an edit page (/edit) to rename, add and trash
 * pages; mounted at /sandbox/notion when SANDBOX is on and served on its own port by tests.
 */
import { Hono } from "hono";
import { notionApi } from "./api.ts";
import { notionEditor } from "./editor.tsx";
import type { NotionData, NotionObject } from "./data.ts";
import { notionOAuth } from "./oauth.tsx";
import { searchable } from "./search.ts";
import { seedDefault, seedGenerated } from "./seed.ts";
import { notionError } from "./errors.ts";
import { notionRevoke } from "./revoke.ts";
import { z } from "zod";
import { createMemoryStore } from "../../store/memory_store.ts";
import type { Store } from "../../store/store.ts";
import { queueFault } from "../emulator.ts";
import { EmulatedOAuthServer, newOAuthCounters } from "../oauth_server.ts";
import { SandboxRecords } from "../sandbox_store.ts";
import { SandboxRateCount } from "../rate_count.ts";
import {
  type InjectedFault,
  notionPolicy,
  type NotionRecords,
  type NotionSandboxCounters,
  type NotionState,
  searchCursorSchema,
} from "./state.ts";
import { notionTokens } from "./tokens.ts";

export interface NotionSandboxOptions {
  clientId: string;
  clientSecret: string;
  /** Exact-match registered redirect URIs. */
  redirectUris: string[];
  /** With `pages`, generates a workspace of that size; alone, reshuffles the default's ids. */
  seed?: number;
  pages?: number;
  /** Default true (current Notion); false answers the legacy shape with non-expiring tokens. */
  issueRefreshTokens?: boolean;
  /** Notion sends no expires_in; this is how long sandbox access tokens work. Null: forever. */
  accessTokenTtlSeconds?: number | null;
  rateLimit?: { requestsPerSecond: number; retryAfterSeconds: number };
  latencyMs?: number;
  clock?: () => number;
  /** Keeps codes, grants, tokens and cursors; this process's memory unless given. */
  store?: Store;
}

export interface NotionSandboxControl {
  readonly data: NotionData;
  readonly counters: NotionSandboxCounters;
  /** What search can return (shared, not trashed), to compare listings with. */
  searchable(): NotionObject[];
  /** Makes every access token issued so far stop working (401 unauthorized). */
  expireAccessTokens(): Promise<void>;
  /** Forgets every search cursor handed out (later use answers 400 validation_error). */
  expireCursors(): Promise<void>;
  /** Revokes every connection, as a user removing the integration would. */
  revokeAll(): Promise<void>;
  /** Answers the next `times` requests of a kind with this fault instead. */
  failNext(kind: "token" | "api", fault: InjectedFault, times?: number): void;
  setLatency(ms: number): void;
  liveRefreshTokens(): Promise<string[]>;
  issuedAccessTokens(): string[];
}

function notionRecords(store: Store): NotionRecords {
  const records = <V>(kind: string, schema: z.ZodType<V>) =>
    new SandboxRecords(store, "notion", kind, schema);
  return {
    cursors: records("cursor", searchCursorSchema),
    cursorIds: records("position", z.string()),
  };
}

export function createNotionSandbox(
  options: NotionSandboxOptions,
): { app: Hono; control: NotionSandboxControl } {
  const issueRefreshTokens = options.issueRefreshTokens ?? true;
  const clock = options.clock ?? Date.now;
  const store = options.store ?? createMemoryStore(clock);
  const accessTokenTtlSeconds = options.accessTokenTtlSeconds !== undefined
    ? options.accessTokenTtlSeconds
    : issueRefreshTokens
    ? 3600
    : null;
  const counters: NotionSandboxCounters = {
    ...newOAuthCounters(),
    apiCalls: 0,
    searchCalls: 0,
    rateLimited: 0,
    rotatedAccessTokenUses: 0,
  };
  const policy = notionPolicy(issueRefreshTokens, accessTokenTtlSeconds);
  const state: NotionState = {
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    redirectUris: options.redirectUris,
    data: options.pages === undefined
      ? seedDefault(options.seed)
      : seedGenerated(options.seed ?? 1, options.pages),
    issueRefreshTokens,
    accessTokenTtlSeconds,
    rateLimit: options.rateLimit ?? { requestsPerSecond: 3, retryAfterSeconds: 1 },
    latencyMs: options.latencyMs ?? 0,
    clock,
    oauth: new EmulatedOAuthServer(store, policy, clock, counters),
    records: notionRecords(store),
    rates: new SandboxRateCount(store, "notion"),
    faults: { token: [], api: [] },
    counters,
  };

  const app = new Hono();
  app.route("/", notionOAuth(state));
  app.route("/", notionTokens(state));
  app.route("/", notionRevoke(state));
  app.route("/", notionApi(state));
  app.route("/", notionEditor(state));
  app.notFound((c) => notionError(c, 400, "invalid_request_url", "Invalid request URL."));
  app.onError((_error, c) => notionError(c, 500));

  const control: NotionSandboxControl = {
    data: state.data,
    counters: state.counters,
    searchable: () => searchable(state),
    expireAccessTokens: () => state.oauth.expireAccessTokens(),
    expireCursors: async () => {
      for (const id of state.records.cursors.writtenIds()) await state.records.cursors.delete(id);
    },
    revokeAll: () => state.oauth.revokeAll(),
    failNext: (kind, fault, times = 1) => queueFault(state.faults, kind, fault, times),
    setLatency: (ms) => {
      state.latencyMs = ms;
    },
    liveRefreshTokens: () => state.oauth.liveRefreshTokens(),
    issuedAccessTokens: () => state.oauth.issuedAccessTokens(),
  };
  return { app, control };
}
