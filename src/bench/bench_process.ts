/** The items bench's processes and settings: servers, their memory, a signed-in connect. */
import assert from "node:assert/strict";
import type { IntegrationItem } from "../contract/item.ts";
import { decideOnConsent, TestBrowser } from "../testing/browser.ts";
import { spawnUntilReady } from "../testing/local_server.ts";
import { Shape } from "./items_bounds.ts";

export const LATENCY_MS = Number(Deno.env.get("BENCH_LATENCY_MS") ?? 50);
/**
 * The hub's V8 heap (old space) is capped at this many MB: a listing whose memory grew with the
 * account would fail here instead of only showing a larger figure. V8 otherwise lets garbage
 * pile up to far more than the hub holds live.
 */
export const HUB_HEAP_MB = 64;
/** The OAuth app the bench hub uses at each sandbox. */
export const BENCH_APP = { clientId: "bench-client", clientSecret: "bench-secret" };
/** Starts one of the bench's servers in its own process; it prints its URL first. */
export async function startServer(
  script: string,
  args: string[],
  flags: string[] = [],
): Promise<{ url: string; more: string[]; process: Deno.ChildProcess }> {
  const { process, printed } = await spawnUntilReady(
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", ...flags, new URL(script, import.meta.url).pathname, ...args],
      stdout: "piped",
      stderr: "inherit",
    }),
    "\n",
  );
  const [url, ...more] = printed.split("\n")[0].trim().split(" ");
  return { url, more, process };
}

/** A process's resident memory now, or its peak since the last resetPeakMemory, in bytes. */
export function memoryOf(pid: number, field: "VmRSS" | "VmHWM"): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1];
  if (kb === undefined) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(kb) * 1024;
}

/** Linux: writing 5 to clear_refs restarts the process's peak resident memory count. */
export function resetPeakMemory(pid: number): void {
  Deno.writeTextFileSync(`/proc/${pid}/clear_refs`, "5");
}

/** Signs `user` in on a hub and connects them to `provider` through its consent page. */
export async function connectUser(
  hubUrl: string,
  provider: string,
  user: string,
): Promise<TestBrowser> {
  const browser = new TestBrowser();
  await browser.postForm(`${hubUrl}/login`, { user_id: user, org_id: "bench" });
  const start = await browser.postForm(`${hubUrl}/integrations/${provider}/connect`, {});
  const callback = await decideOnConsent(start.headers.get("location")!, "approve");
  const connected = await browser.request(`${hubUrl}${callback.pathname}${callback.search}`);
  assert.equal(connected.status, 303);
  return browser;
}

/** Lists everything, keeping only the listing's shape. */
export async function listAll(
  browser: TestBrowser,
  url: string,
  limit: number | undefined,
  afterEachAnswer: () => void = () => {},
): Promise<Shape> {
  const shape = new Shape();
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams();
    if (limit !== undefined) query.set("limit", String(limit));
    if (cursor !== null) query.set("cursor", cursor);
    const response = await browser.request(`${url}?${query}`);
    const body = await response.json();
    assert.equal(response.status, 200, JSON.stringify(body).slice(0, 300));
    for (const item of body.items as IntegrationItem[]) shape.add(item);
    cursor = body.next_cursor;
    afterEachAnswer();
  } while (cursor !== null);
  return shape;
}
