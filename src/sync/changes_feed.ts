/**
 * The changes feed, read from the copy and its change log: without `since`, the whole copy as
 * upserts, page by page, then the log; with it, what changed since, each item once in its
 * latest state.
 */
import type { Owner } from "../connections/connections.ts";
import { HubError } from "../errors.ts";
import type { ActiveProvider } from "../providers/registry.ts";
import type { Store } from "../store/store.ts";
import { type ChangeEntry, ChangeLog, SinceExpiredError } from "./changes.ts";
import { CopyStore } from "./copy.ts";
import { NO_FILTERS } from "./filters.ts";
import { syncKey } from "./run.ts";
import { perChunkOf, readStatus } from "./status.ts";
import { readSince, type Since, sinceToken } from "./tokens.ts";

export interface ChangesPage {
  changes: ChangeEntry[];
  next_since: string;
  has_more: boolean;
}

export class NotSyncedError extends HubError {
  readonly code = "not_synced";
  readonly status = 409;
}

export class SinceTooOldError extends HubError {
  readonly code = "since_expired";
  readonly status = 410;
}

/** A page of the changes feed for one connection. */
export async function readChanges(
  deps: { store: Store; clock: () => number },
  provider: ActiveProvider,
  owner: Owner,
  request: { since: string | null; limit: number },
): Promise<ChangesPage> {
  const { spec } = provider;
  const key = syncKey(spec.id, owner);
  const status = await readStatus(deps.store, key);
  if (status.generation === null) {
    throw new NotSyncedError(
      `${spec.displayName} has not finished its first sync yet; ask again once sync.state is ok.`,
    );
  }
  const since: Since = request.since === null
    ? { v: 1, p: spec.id, k: "s", g: status.generation, c: 0, o: 0 }
    : readSince(spec.id, request.since);
  if (since.k === "s") {
    if (since.g < status.generation - 1) {
      throw new SinceTooOldError(
        "since: the copy it pages was replaced by two newer syncs since; start again without since.",
      );
    }
    const copy = new CopyStore(deps.store, key);
    const read = await copy.page(
      since.g,
      // The status sizes the first read of the generation it serves.
      {
        chunk: since.c,
        offset: since.o,
        perChunk: since.g === status.generation ? perChunkOf(status) : undefined,
      },
      request.limit,
      NO_FILTERS,
    );
    const at = new Date(deps.clock()).toISOString();
    return {
      changes: read.items.map((item) => ({
        action: "upsert",
        id: item.id,
        item,
        changed_at: at,
      })),
      next_since: read.next === null
        ? sinceToken({ ...since, k: "l", g: since.g + 1, c: 0, o: 0 })
        : sinceToken({ ...since, c: read.next.chunk, o: read.next.offset }),
      has_more: read.next !== null,
    };
  }
  try {
    const log = new ChangeLog(deps.store, key, deps.clock);
    const read = await log.read({ generation: since.g, offset: since.o }, request.limit);
    return {
      changes: read.changes,
      next_since: sinceToken({ ...since, g: read.next.generation, o: read.next.offset }),
      has_more: read.hasMore,
    };
  } catch (error) {
    if (!(error instanceof SinceExpiredError)) throw error;
    throw new SinceTooOldError(
      "since: older than the history kept (7 days); start again without since.",
    );
  }
}
