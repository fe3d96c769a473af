/**
 * Driving a hub's sync from a test: start a hub that syncs, edit its sandbox account, ask for a
 * sync and wait for it to end, read the whole changes feed from a `since`, and the whole copy.
 * Used by the sync tests of every provider.
 */
import assert from "node:assert/strict";
import type { ProviderId } from "../providers/registry.ts";
import { createKvStore } from "../store/kv_store.ts";
import type { Store } from "../store/store.ts";
import { createUpstashStore } from "../store/upstash_store.ts";
import { type ProviderHub, type ProviderHubOptions, startProviderHub } from "./provider_hub.ts";
import { startUpstashForTests, type TestUpstash } from "./redis_harness.ts";

export const OWNER = "user_id=alice&org_id=acme";

export interface FeedChange {
  action: "upsert" | "delete";
  id: string;
  item: { id: string; name: string; type: string; parent_path_or_name: string | null } | null;
}

interface SyncStatus {
  state: string;
  started_at: string | null;
  finished_at: string | null;
  items: number | null;
  last_error: { code: string; message: string } | null;
}

type SyncHubOptions<C> = Omit<ProviderHubOptions<C>, "store">;

/**
 * A hub facing `provider`'s sandbox on a real Redis behind the Upstash layer, its background
 * syncs every 15 minutes (so that only the test's asks start one); `close` closes both.
 */
export async function startSyncHub<C>(
  options: SyncHubOptions<C>,
): Promise<ProviderHub<C> & { upstash: TestUpstash }> {
  const upstash = await startUpstashForTests();
  const t = await hubOnStore(options, createUpstashStore(upstash), () => upstash.close());
  return { ...t, upstash };
}

/** As startSyncHub, on an embedded store in memory. */
export async function startEmbeddedSyncHub<C>(options: SyncHubOptions<C>): Promise<ProviderHub<C>> {
  const kv = await Deno.openKv(":memory:");
  return await hubOnStore(options, createKvStore(kv), () => kv.close());
}

async function hubOnStore<C>(
  options: SyncHubOptions<C>,
  store: Store,
  closeStore: () => Promise<void> | void,
): Promise<ProviderHub<C>> {
  const t = await startProviderHub({
    ...options,
    store,
    env: { SYNC_INTERVAL_MINUTES: "15", ...options.env },
  });
  return {
    ...t,
    close: async () => {
      await t.close();
      await closeStore();
    },
  };
}

/**
 * Changes the sandbox account through its control endpoint (JSON `POST /edit`); answers the id
 * of what was added, if anything.
 */
export async function editSandbox<C>(
  t: ProviderHub<C>,
  body: Record<string, string>,
): Promise<string | undefined> {
  const response = await fetch(`${t.providerUrl}/edit`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  assert.equal(response.status, 200, JSON.stringify(answer));
  return answer.id;
}

export async function syncStatus<C>(t: ProviderHub<C>, provider: ProviderId): Promise<SyncStatus> {
  const answer = await t.call(`/integrations/${provider}/status?${OWNER}`);
  assert.equal(answer.status, 200, answer.text);
  return answer.json().sync;
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

/**
 * Every change from `since` (null: the copy) to the end of the feed, in pages of `limit`, and
 * the next `since`.
 */
export async function allChanges<C>(
  t: ProviderHub<C>,
  provider: ProviderId,
  since: string | null,
  limit = 1000,
): Promise<{ changes: FeedChange[]; next: string }> {
  const changes: FeedChange[] = [];
  let next = since;
  let more = true;
  while (more) {
    const query = `${OWNER}&limit=${limit}${next === null ? "" : `&since=${next}`}`;
    const answer = await t.call(`/integrations/${provider}/changes?${query}`);
    assert.equal(answer.status, 200, answer.text);
    const body = answer.json();
    changes.push(...body.changes);
    next = body.next_since;
    more = body.has_more;
  }
  return { changes, next: next! };
}

/** Every item of the copy (id to name), page by page, each checked to come once. */
export async function copyItems<C>(
  t: ProviderHub<C>,
  provider: ProviderId,
): Promise<Map<string, string>> {
  const items = new Map<string, string>();
  let cursor: string | null = null;
  do {
    const query: string = `${OWNER}&limit=1000${cursor === null ? "" : `&cursor=${cursor}`}`;
    const body = (await t.call(`/integrations/${provider}/items?${query}`)).json();
    assert.ok(body.synced_at, "served from the copy");
    for (const item of body.items) {
      assert.ok(!items.has(item.id), `${item.id} once`);
      items.set(item.id, item.name);
    }
    cursor = body.next_cursor;
  } while (cursor !== null);
  return items;
}
