import type { Logger } from "../log.ts";
import type { ProviderId } from "../providers/registry.ts";
import type { ActiveProvider } from "../providers/registry.ts";
import type { Connection, Connections, Owner } from "./connections.ts";
import type { TokenKeeper } from "./token_keeper.ts";

/** A connection as the API shows it: never any token. */
export interface StatusView {
  provider: ProviderId;
  status: "not_connected" | "connected" | "reconnect_required";
  account: { id: string; name: string } | null;
  connected_at: string | null;
  scopes: string[];
  last_error: { code: string; message: string; at: string } | null;
}

export function statusView(provider: ProviderId, connection: Connection | null): StatusView {
  if (connection === null) {
    return {
      provider,
      status: "not_connected",
      account: null,
      connected_at: null,
      scopes: [],
      last_error: null,
    };
  }
  return {
    provider,
    status: connection.status,
    account: connection.account,
    connected_at: connection.connectedAt,
    scopes: connection.scopes,
    last_error: connection.lastError,
  };
}

/** The synced copies a disconnect deletes (the sync service, seen from here). */
export interface SyncedCopies {
  forget(provider: ProviderId, owner: Owner): Promise<void>;
}

/**
 * Revokes the grant at the provider where it offers a way, then forgets the connection even
 * when revocation failed: the user asked for it to be gone. Repeating it is harmless.
 */
export async function disconnect(
  deps: { connections: Connections; keeper: TokenKeeper; log: Logger; sync: SyncedCopies },
  provider: ActiveProvider,
  owner: Owner,
): Promise<void> {
  await deps.keeper.exclusive(provider, owner, () => forget(deps, provider, owner));
  // The copy and its history go with the tokens.
  await deps.sync.forget(provider.spec.id, owner);
}

async function forget(
  deps: { connections: Connections; log: Logger },
  provider: ActiveProvider,
  owner: Owner,
): Promise<void> {
  const connection = await deps.connections.get(provider.spec.id, owner);
  if (connection === null) return;
  if (provider.spec.revoke && connection.tokens.accessToken !== "") {
    try {
      await provider.spec.revoke(connection.tokens, provider.app);
    } catch (error) {
      deps.log.warn("revocation failed; deleting the connection anyway", {
        provider: provider.spec.id,
        error: error instanceof Error ? error.name : "unknown",
      });
    }
  }
  await deps.connections.remove(provider.spec.id, owner);
}
