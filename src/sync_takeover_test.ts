/**
 * A sync whose process dies is taken over: two real hub processes on one Redis behind the
 * Upstash-compatible layer, facing a HubSpot sandbox on its own port. The first process syncs
 * and is killed (SIGKILL: no shutdown, its lease stays) after a checkpoint; once the lease
 * lapses, the second process resumes from that checkpoint, not from the start: a first sync's
 * listing, and an incremental sync's change feed (every change then logged once).
 */
import assert from "node:assert/strict";
import { providerEnv } from "./provider_config.ts";
import { keys } from "./store/keys.ts";
import { createHubspotSandbox, type HubspotSandboxControl } from "./sandbox/hubspot/sandbox.ts";
import { connectThroughConsent } from "./testing/browser.ts";
import { hubEnv } from "./testing/faulty_servers.ts";
import { TEST_API_KEY } from "./testing/hub.ts";
import { type HubProcess, startHubProcess } from "./testing/hub_process.ts";
import { serveLocally } from "./testing/local_server.ts";
import { startTestRedis, startUpstashForTests, type TestUpstash } from "./testing/redis_harness.ts";
import { tapUpstash } from "./testing/worker_harness.ts";

const redis = await startTestRedis();
await redis?.close();

const OWNER = "user_id=ada&org_id=acme";
const LEASE_SECONDS = 5;

async function hubGet(hub: HubProcess, path: string) {
  const response = await fetch(`${hub.url}${path}`, {
    headers: { Authorization: `Bearer ${TEST_API_KEY}` },
  });
  assert.equal(response.status, 200, path);
  return await response.json();
}

async function sync(hub: HubProcess) {
  return (await hubGet(hub, `/integrations/hubspot/status?${OWNER}`)).sync;
}

async function requestSync(hub: HubProcess): Promise<void> {
  const response = await fetch(`${hub.url}/integrations/hubspot/sync?${OWNER}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TEST_API_KEY}` },
  });
  assert.equal(response.status, 202);
  await response.body?.cancel();
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean) {
  const deadline = Date.now() + 30_000;
  for (let value = await read(); Date.now() < deadline; value = await read()) {
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Every id the copy serves, through next_cursor. */
async function copyIds(hub: HubProcess): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `${OWNER}&limit=1000${cursor ? `&cursor=${cursor}` : ""}`;
    const page = await hubGet(hub, `/integrations/hubspot/items?${query}`);
    assert.ok(page.synced_at, "served from the copy");
    ids.push(...page.items.map((item: { id: string }) => item.id));
    cursor = page.next_cursor;
  } while (cursor !== null);
  return ids;
}

interface Change {
  action: "upsert" | "delete";
  id: string;
  item: { name: string } | null;
}

/** The changes feed from `since` (null: from the start) to its end, and where it then stands. */
async function changesFrom(hub: HubProcess, since: string | null) {
  const changes: Change[] = [];
  let at = since;
  while (true) {
    const query = `${OWNER}&limit=1000${at === null ? "" : `&since=${at}`}`;
    const page = await hubGet(hub, `/integrations/hubspot/changes?${query}`);
    changes.push(...page.changes);
    at = page.next_since;
    if (!page.has_more) return { changes, since: at };
  }
}

interface Takeover {
  first: HubProcess;
  second: HubProcess;
  upstash: TestUpstash;
  control: HubspotSandboxControl;
  providerUrl: string;
  /** Live records of the sandbox account. */
  total: number;
  /** Provider calls a full listing of the account takes. */
  fullListing: number;
}

/** Two hub processes with a short lease on one store, the first connected to the sandbox. */
async function withTwoHubs(fn: (t: Takeover) => Promise<void>): Promise<void> {
  const upstash = await startUpstashForTests();
  const tap = tapUpstash(upstash, upstash.namespace);
  const redirectUris: string[] = [];
  const app = { clientId: "takeover", clientSecret: "takeover-secret" };
  const sandbox = createHubspotSandbox({
    ...app,
    redirectUris,
    counts: { contacts: 3000, companies: 500, deals: 500 },
    // Slow pages: the first process is sure to be mid-sync when it is killed.
    latencyMs: 60,
  });
  const provider = serveLocally(sandbox.app.fetch);
  const { data } = sandbox.control;
  const live = (type: keyof typeof data) => data[type].filter((r) => !r.archived).length;
  const env = hubEnv({
    UPSTASH_REDIS_REST_URL: tap.url,
    UPSTASH_REDIS_REST_TOKEN: upstash.token,
    ...providerEnv("hubspot", { ...app, base: provider.url }),
    SYNC_INTERVAL_MINUTES: "15",
    SYNC_LEASE_SECONDS: String(LEASE_SECONDS),
  });
  const first = await startHubProcess(env);
  const second = await startHubProcess(env);
  try {
    redirectUris.push(`${first.url}/integrations/hubspot/oauth2callback`);
    await connectThroughConsent(first.url, "hubspot");
    await fn({
      first,
      second,
      upstash,
      control: sandbox.control,
      providerUrl: provider.url,
      total: live("contacts") + live("companies") + live("deals"),
      fullListing: Math.ceil(live("contacts") / 100) + Math.ceil(live("companies") / 100) +
        Math.ceil(live("deals") / 100),
    });
  } finally {
    await first.close().catch(() => {});
    await second.close();
    await provider.close();
    await tap.close();
    await upstash.close();
  }
}

/**
 * Kills the first process (its lease stays), waits out the lease, has the second sync; answers
 * the provider calls made until the death and the sync status it left.
 */
async function killAndTakeOver(t: Takeover) {
  t.first.kill("SIGKILL");
  await t.first.status;
  const callsBeforeDeath = t.control.counters.crmCalls;
  const atDeath = await sync(t.second);
  // Until its lease lapses nobody else may sync it; then the second process resumes.
  await requestSync(t.second);
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(t.control.counters.crmCalls, callsBeforeDeath, "no sync while the lease holds");
  await new Promise((resolve) => setTimeout(resolve, LEASE_SECONDS * 1000));
  await requestSync(t.second);
  return { callsBeforeDeath, atDeath };
}

Deno.test({
  name: "a sync whose process dies is resumed by another process from its last checkpoint",
  ignore: redis === null,
  sanitizeResources: false,
  fn: () =>
    withTwoHubs(async (t) => {
      // The first sync runs in the first process; it dies after its first checkpoint.
      const midway = await until(
        "a first checkpoint",
        () => sync(t.second),
        (s) => (s.progress?.done ?? 0) >= 1000,
      );
      assert.equal(midway.state, "running");
      const { callsBeforeDeath, atDeath } = await killAndTakeOver(t);
      const doneBeforeDeath = atDeath.progress.done;
      assert.ok(doneBeforeDeath < t.total, "the first process died mid-sync");
      const finished = await until(
        "the resumed sync",
        () => sync(t.second),
        (s) => s.state === "ok",
      );
      assert.equal(finished.items, t.total);

      // Resumed, not restarted: the calls after the death list only what was left.
      const callsAfterDeath = t.control.counters.crmCalls - callsBeforeDeath;
      assert.ok(
        callsAfterDeath < t.fullListing,
        `${callsAfterDeath} calls after the takeover, a full listing takes ${t.fullListing}`,
      );
      const ids = await copyIds(t.second);
      assert.equal(ids.length, t.total);
      assert.equal(new Set(ids).size, t.total, "every item once");
      console.log(
        `takeover: ${doneBeforeDeath} items before the kill, ${callsAfterDeath} of ${t.fullListing} calls after it`,
      );
    }),
});

/** The sync's checkpoint as the store holds it (null when none). */
async function checkpoint(upstash: TestUpstash) {
  const key = `${upstash.namespace}${keys.sync("hubspot", "acme", "ada")}:checkpoint`;
  const raw = await upstash.redis.sendCommand(["GET", key]);
  return raw === null ? null : JSON.parse(new TextDecoder().decode(raw as Uint8Array));
}

Deno.test({
  name:
    "an incremental sync whose process dies is resumed from its last feed step, every change once",
  ignore: redis === null,
  sanitizeResources: false,
  fn: () =>
    withTwoHubs(async (t) => {
      await until("the first sync", () => sync(t.second), (s) => s.state === "ok");
      const { since } = await changesFrom(t.second, null);
      // 1,200 contacts renamed: six pages of 200 in the contacts' change feed.
      const renamed = new Map<string, string>();
      for (const record of t.control.data.contacts.filter((r) => !r.archived).slice(0, 1200)) {
        const name = `Renamed ${record.id}`;
        const response = await fetch(`${t.providerUrl}/edit`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ action: "rename", type: "contacts", id: record.id, name }),
        });
        assert.equal(response.status, 200);
        await response.body?.cancel();
        renamed.set(`contact:${record.id}`, name);
      }
      const callsBefore = t.control.counters.crmCalls;
      await requestSync(t.first);
      const staged = await until(
        "a checkpointed feed step",
        () => checkpoint(t.upstash),
        (c) => c?.mode === "feed" && c.stagedChanges > 0,
      );
      assert.ok(staged.positions.length > 0, "the feed had pages left");
      const { callsBeforeDeath, atDeath } = await killAndTakeOver(t);
      assert.equal(atDeath.state, "running");
      const finished = await until(
        "the resumed sync",
        () => sync(t.second),
        (s) => s.state === "ok",
      );
      assert.equal(finished.items, t.total);

      // Resumed, not restarted: one uninterrupted feed takes a page of each of its six chains
      // (changes and archived, per type), then five more pages of contacts' changes.
      const feedPages = 6 + 5;
      const [before, after] = [
        callsBeforeDeath - callsBefore,
        t.control.counters.crmCalls - callsBeforeDeath,
      ];
      assert.ok(before >= 6, `${before} calls before the kill`);
      assert.ok(
        after < feedPages - 1,
        `${after} calls after the takeover; the feed takes ${feedPages}`,
      );
      assert.ok(
        before + after <= feedPages + 2,
        `${before} + ${after} calls for ${feedPages} pages`,
      );

      // Every renamed contact once, in its latest state, and nothing else.
      const { changes } = await changesFrom(t.second, since);
      assert.equal(changes.length, renamed.size, "each change once, no unchanged item");
      for (const change of changes) {
        assert.equal(change.action, "upsert");
        assert.equal(change.item?.name, renamed.get(change.id), change.id);
      }
      const ids = await copyIds(t.second);
      assert.equal(new Set(ids).size, t.total, "every item once");
      console.log(`incremental takeover: ${before} calls before the kill, ${after} after it`);
    }),
});
