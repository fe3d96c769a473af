import type { Config } from "./config.ts";
import type { Connections } from "./connections/connections.ts";
import type { TokenKeeper } from "./connections/token_keeper.ts";
import type { ItemsService } from "./items/list_items.ts";
import type { CursorSeal } from "./sync/sealed_cursor.ts";
import type { SyncService } from "./sync/service.ts";
import type { Logger } from "./log.ts";
import type { OAuthDeps } from "./oauth/flow.ts";
import type { SessionSettings } from "./auth/session.ts";
import type { Store } from "./store/store.ts";
import type { Fetch } from "./contract/calls.ts";
import type { ActiveProvider } from "./providers/registry.ts";
import type { Caller } from "./auth/callers.ts";

/** Everything a route needs, built once by createApp. */
export interface Services {
  config: Config;
  store: Store;
  connections: Connections;
  keeper: TokenKeeper;
  items: ItemsService;
  sync: SyncService;
  /** Seals the cursors handed to callers (opaque, bound to caller, provider and filters). */
  cursors: CursorSeal;
  oauth: OAuthDeps;
  session: SessionSettings;
  log: Logger;
  clock: () => number;
  /** Every request the hub sends to a provider goes through this. */
  fetch: Fetch;
}

export interface HubEnv {
  Variables: {
    services: Services;
    caller: Caller | null;
    /** Errors render as pages, not JSON (the request asked for HTML, on a page route). */
    htmlErrors: boolean;
    /** The provider of a route under /integrations/{provider}, resolved by apiRoute(). */
    provider?: ActiveProvider;
    /** The services' logger with this request's id on every line. */
    log: Logger;
    /** What went wrong, as answered, for the request's log line. */
    failure?: { code: string; message: string };
  };
}
