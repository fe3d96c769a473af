import { z } from "zod";
import type { Sealer } from "../crypto/sealer.ts";
import { parseJson } from "../json.ts";
import type { ProviderId } from "../providers/registry.ts";
import { keys } from "../store/keys.ts";
import type { Store } from "../store/store.ts";

/** Whose connection: every connection belongs to one user in one org. */
export interface Owner {
  userId: string;
  orgId: string;
}

export interface TokenSet {
  accessToken: string;
  refreshToken: string | null;
  /** Epoch ms; null when the provider gave no lifetime. */
  expiresAt: number | null;
  /** Epoch ms of when the provider issued this access token. */
  obtainedAt: number;
}

export type ConnectionStatus = "connected" | "reconnect_required";

export interface Connection {
  provider: ProviderId;
  owner: Owner;
  status: ConnectionStatus;
  account: { id: string; name: string } | null;
  scopes: string[];
  connectedAt: string;
  extra: Record<string, string>;
  /** The last failure the user should know about, in words safe to show. */
  lastError: { code: string; message: string; at: string } | null;
  tokens: TokenSet;
}

const tokenSetSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string().nullable(),
  expiresAt: z.number().nullable(),
  obtainedAt: z.number(),
});

const storedSchema = z.object({
  v: z.literal(1),
  status: z.enum(["connected", "reconnect_required"]),
  account: z.object({ id: z.string(), name: z.string() }).nullable(),
  scopes: z.array(z.string()),
  connectedAt: z.string(),
  extra: z.record(z.string(), z.string()),
  lastError: z.object({ code: z.string(), message: z.string(), at: z.string() }).nullable(),
  /** The token set, sealed; everything else in the record is safe to read. */
  sealedTokens: z.string(),
});

/**
 * The one module that reads and writes connections. Tokens are sealed with the record's
 * identity as associated data; every write seals with the first key, so a value sealed with an
 * older key moves to the new one on its next write.
 */
export class Connections {
  constructor(private readonly store: Store, private readonly sealer: Sealer) {}

  async get(provider: ProviderId, owner: Owner): Promise<Connection | null> {
    const raw = await this.store.get(keys.connection(provider, owner.orgId, owner.userId));
    return raw === null ? null : await this.#decode(provider, owner, raw);
  }

  /** Reads several providers' connections for one owner in a single store round trip. */
  async getMany(providers: readonly ProviderId[], owner: Owner): Promise<(Connection | null)[]> {
    const raws = await this.store.getMany(
      providers.map((p) => keys.connection(p, owner.orgId, owner.userId)),
    );
    return await Promise.all(
      raws.map((raw, i) => raw === null ? null : this.#decode(providers[i], owner, raw)),
    );
  }

  async save(connection: Connection): Promise<void> {
    const { provider, owner } = connection;
    const stored: z.infer<typeof storedSchema> = {
      v: 1,
      status: connection.status,
      account: connection.account,
      scopes: connection.scopes,
      connectedAt: connection.connectedAt,
      extra: connection.extra,
      lastError: connection.lastError,
      sealedTokens: await this.sealer.seal(
        JSON.stringify(connection.tokens),
        associatedData(provider, owner),
      ),
    };
    await this.store.set(
      keys.connection(provider, owner.orgId, owner.userId),
      JSON.stringify(stored),
    );
  }

  async remove(provider: ProviderId, owner: Owner): Promise<void> {
    await this.store.delete(keys.connection(provider, owner.orgId, owner.userId));
  }

  async #decode(provider: ProviderId, owner: Owner, raw: string): Promise<Connection | null> {
    const parsed = storedSchema.safeParse(parseJson(raw));
    if (!parsed.success) return null;
    const s = parsed.data;
    const base = {
      provider,
      owner,
      account: s.account,
      scopes: s.scopes,
      connectedAt: s.connectedAt,
      extra: s.extra,
    };
    try {
      const opened = await this.sealer.open(s.sealedTokens, associatedData(provider, owner));
      const tokens = tokenSetSchema.parse(JSON.parse(opened));
      return { ...base, status: s.status, lastError: s.lastError, tokens };
    } catch {
      // Tokens sealed with a key that is no longer configured (or altered) cannot be used;
      // the connection stays visible so the user can reconnect it in place.
      return {
        ...base,
        status: "reconnect_required",
        lastError: {
          code: "unreadable_tokens",
          message: "The stored tokens cannot be opened with the configured encryption keys.",
          at: new Date().toISOString(),
        },
        tokens: UNUSABLE_TOKENS,
      };
    }
  }
}

const UNUSABLE_TOKENS: TokenSet = {
  accessToken: "",
  refreshToken: null,
  expiresAt: 0,
  obtainedAt: 0,
};

function associatedData(provider: ProviderId, owner: Owner): string {
  return JSON.stringify(["hub-connection-v1", provider, owner.orgId, owner.userId]);
}
