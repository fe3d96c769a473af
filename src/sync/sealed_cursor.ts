import type { Owner } from "../connections/connections.ts";
import { Sealer } from "../crypto/sealer.ts";
import { InvalidRequestError } from "../errors.ts";
import type { CopyFilters } from "./filters.ts";

/** What a cursor is valid for: the listing it continues, for whom. */
export interface CursorBinding {
  provider: string;
  owner: Owner;
  /** The listing's filters; the changes feed has none. */
  filters?: CopyFilters;
}

/**
 * Seals the cursors the API hands out (next_cursor, next_since): AES-GCM with the caller,
 * provider and filters as associated data, so a cursor reveals nothing of the account and
 * opens only for the same caller, provider and filters. Anything else is one 400.
 */
export class CursorSeal {
  constructor(private readonly sealer: Sealer) {}

  seal(kind: "cursor" | "since", inner: string, binding: CursorBinding): Promise<string> {
    return this.sealer.seal(inner, associatedData(kind, binding));
  }

  async open(kind: "cursor" | "since", token: string, binding: CursorBinding): Promise<string> {
    try {
      return await this.sealer.open(token, associatedData(kind, binding));
    } catch {
      const from = kind === "cursor" ? "next_cursor" : "next_since";
      const same = kind === "cursor" ? " with the same type, q and modified_after" : "";
      throw new InvalidRequestError(
        `Invalid request. ${kind}: not one the hub gave to this caller for this provider${
          kind === "cursor" ? " and these filters" : ""
        }; pass ${from} of the previous answer as it is${same}.`,
      );
    }
  }
}

function associatedData(kind: string, { provider, owner, filters }: CursorBinding): string {
  const filter = filters === undefined
    ? null
    : [[...filters.types].sort(), filters.q, filters.modifiedAfter];
  return JSON.stringify(["hub-cursor", kind, provider, owner.orgId, owner.userId, filter]);
}
