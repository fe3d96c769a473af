/**
 * Driving a hub's sync from a test: ask for one and wait for it to end, and read the whole
 * changes feed from a `since`. Used by the per-provider incremental sync tests.
 */
import assert from "node:assert/strict";
import type { ProviderId } from "../providers/registry.ts";
import type { ProviderHub } from "./provider_hub.ts";

export const OWNER = "user_id=alice&org_id=acme";

export interface FeedChange {
  action: "upsert" | "delete";
  id: string;
  item: { id: string; name: string; type: string; parent_path_or_name: string | null } | null;
}

interface SyncStatus {
  state: string;
  finished_at: string | null;
  items: number | null;
  last_error: { code: string; message: string } | null;
}

export async function syncStatus<C>(t: ProviderHub<C>, provider: ProviderId): Promise<SyncStatus> {
  return (await t.call(`/integrations/${provider}/status?${OWNER}`)).json().sync;
}

/** Waits for the sync that is running (or about to) to end after `after`; answers its status. */
export async function settled<C>(
  t: ProviderHub<C>,
  provider: ProviderId,
  after: string | null,
  timeoutMs = 30_000,
): Promise<SyncStatus> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const sync = await syncStatus(t, provider);
    if (sync.state !== "running" && sync.finished_at !== after) return sync;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the sync did not finish");
}

/** Asks for a sync (POST .../sync, 202) and waits for it to end "ok". */
export async function syncNow<C>(
  t: ProviderHub<C>,
  provider: ProviderId,
  timeoutMs = 30_000,
): Promise<SyncStatus> {
  const before = (await syncStatus(t, provider)).finished_at;
  const asked = await t.call(`/integrations/${provider}/sync?${OWNER}`, { method: "POST" });
  assert.equal(asked.status, 202);
  const sync = await settled(t, provider, before, timeoutMs);
  assert.equal(sync.state, "ok", JSON.stringify(sync));
  return sync;
}

/** Every change from `since` (null: the copy) to the end of the feed, and the next `since`. */
export async function allChanges<C>(
  t: ProviderHub<C>,
  provider: ProviderId,
  since: string | null,
): Promise<{ changes: FeedChange[]; next: string }> {
  const changes: FeedChange[] = [];
  let next = since;
  let more = true;
  while (more) {
    const query = `${OWNER}&limit=1000${next === null ? "" : `&since=${next}`}`;
    const answer = await t.call(`/integrations/${provider}/changes?${query}`);
    assert.equal(answer.status, 200, answer.text);
    const body = answer.json();
    changes.push(...body.changes);
    next = body.next_since;
    more = body.has_more;
  }
  return { changes, next: next! };
}
