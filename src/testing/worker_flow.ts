/**
 * The flow the Workers tests drive against the Worker and the Deno entry alike (src/worker_test.ts):
 * everything a client observes of it, and what it must show on its own.
 */
import assert from "node:assert/strict";
import type { ProviderId } from "../providers/registry.ts";
import { createAirtableSandbox } from "../sandbox/airtable/sandbox.ts";
import { createHubspotSandbox } from "../sandbox/hubspot/sandbox.ts";
import { createNotionSandbox } from "../sandbox/notion/sandbox.ts";
import { formFields, TestBrowser } from "./browser.ts";
import { TEST_API_KEY } from "./hub.ts";
import { ROOT, type UpstashTap } from "./worker_harness.ts";

/**
 * hono/jsx renders the same markup in two spellings: Deno's precompiled JSX writes `<meta ...>`
 * and `required` (and sometimes a space before `>`), the runtime JSX that wrangler's esbuild
 * emits writes `<meta .../>` and `required=""`. Both mean the same to every HTML parser;
 * compare in one spelling.
 */
function sameMarkup(html: string): string {
  return html.replace(/\s*\/?>/g, ">").replace(
    / (required|defer|async|download|disabled|checked|selected|hidden|multiple|readonly)=""/g,
    " $1",
  );
}

/** Everything a client can observe of the flow, with the hub's own origin made neutral. */
export type FlowRecord = Record<string, unknown>;

/**
 * Signs in, connects a provider through its sandbox consent page, lists items (all, and in
 * pages for several limits), reads status, the dashboard and static files, and disconnects.
 */
export async function driveFlow(
  base: string,
  tap: UpstashTap,
  provider: ProviderId,
  /** The hub's log so far (JSON lines). */
  logs: () => string,
  /** Filled with each counted request's round trips and log lines, to show when counts differ. */
  trace: Record<string, string[]> = {},
): Promise<FlowRecord> {
  const record: FlowRecord = {};
  const roundTrips: Record<string, number> = {};
  const pacingTrips: Record<string, number> = {};
  const counted = async (name: string, fn: () => Promise<Response>): Promise<Response> => {
    const before = tap.requests;
    const pacingBefore = tap.pacing;
    const response = await fn();
    // On a loaded machine a call may leave late: its slot, gone stale, is taken again, or the
    // provider answers 429 and the retry takes another (carrying the block). Either costs one
    // pace round trip, which the hub logs; it is the machine's, not the runtime's, so it is
    // left out of what the two are compared by (and printed).
    const { extraSlots, unusual, lines } = await pacingEvents(logs, response);
    for (const line of unusual) console.log(`${base} ${name}: ${line}`);
    trace[name] = [...(trace[name] ?? []), ...tap.sent.slice(before), ...lines];
    roundTrips[name] = tap.requests - before - extraSlots;
    pacingTrips[name] = tap.pacing - pacingBefore - extraSlots;
    return response;
  };
  const neutral = (text: string) => text.replaceAll(base, "{hub}");
  const cursors = withNeutralCursor;
  const page = async (response: Response) => {
    const html = sameMarkup(neutral(await response.text()));
    return {
      status: response.status,
      type: response.headers.get("content-type"),
      csp: neutral(response.headers.get("content-security-policy") ?? ""),
      // "Load more" links carry a sealed listing cursor; see withNeutralCursor.
      html: html.replace(/cursor=[^&"]+/g, "cursor=…"),
    };
  };
  const api = (path: string) =>
    fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${TEST_API_KEY}` } });
  const browser = new TestBrowser();

  record.loginPage = await page(await browser.request(`${base}/login`));
  const login = await browser.postForm(`${base}/login`, { user_id: "alice", org_id: "acme" });
  record.login = [login.status, login.headers.get("location")];
  record.emptyDashboard = await page(
    await counted("dashboard", () => browser.request(`${base}/`)),
  );

  const start = await counted(
    "connect",
    () => browser.postForm(`${base}/integrations/${provider}/connect`, {}),
  );
  if (start.status !== 303) throw new Error(`connect: ${start.status} ${await start.text()}`);
  const authorize = new URL(start.headers.get("location")!);
  record.connect = {
    status: start.status,
    to: neutral(authorize.origin + authorize.pathname),
    params: [...authorize.searchParams.keys()].sort(),
    redirect: neutral(authorize.searchParams.get("redirect_uri") ?? ""),
    scope: authorize.searchParams.get("scope"),
  };
  const consent = await browser.request(authorize.href);
  const form = formFields(await consent.text());
  record.consent = { status: consent.status, fields: Object.keys(form.fields).sort() };
  const decision = await browser.postForm(
    new URL(form.action ?? authorize.href, authorize).href,
    { ...form.fields, decision: "approve" },
  );
  const callbackUrl = new URL(decision.headers.get("location")!);
  record.decision = [decision.status, neutral(callbackUrl.origin + callbackUrl.pathname)];
  const callback = await counted("callback", () => browser.request(callbackUrl.href));
  record.callback = [callback.status, callback.headers.get("location")];

  const dashboard = await page(await counted("dashboard", () => browser.request(`${base}/`)));
  // "connected since" is the callback's time, which differs between the two runs.
  const since = /\d{4}-\d\d-\d\d[T ][\d:.]+Z?( UTC)?/g;
  record.dashboard = { ...dashboard, html: dashboard.html.replace(since, "{time}") };
  const status = await (await counted(
    "status",
    () => api(`/integrations/${provider}/status?user_id=alice&org_id=acme`),
  )).json();
  record.status = { ...status, connected_at: typeof status.connected_at };

  const query = "user_id=alice&org_id=acme";
  const all = await counted("items", () => api(`/integrations/${provider}/items?${query}`));
  record.all = [all.status, cursors(await all.json())];
  for (const limit of [1, 70, 1000]) {
    const pages: unknown[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/integrations/${provider}/items?${query}&limit=${limit}` +
        (cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`);
      const response: Response = await counted(
        cursor === null ? "items page" : "items next page",
        () => api(path),
      );
      const body: { next_cursor?: string | null } = await response.json();
      pages.push([response.status, cursors(body)]);
      // An error's body has no cursor: the pages end there (and the record shows the error).
      cursor = limit === 1 && pages.length === 3 ? null : body.next_cursor ?? null;
    } while (cursor !== null);
    record[`pages of ${limit}`] = pages;
  }
  // One isolate serves concurrent requests: shared state (the Upstash client's pipelining, the
  // provider pacing) must not tie one request's I/O to another's.
  const together = await Promise.all(
    Array.from({ length: 8 }, () => api(`/integrations/${provider}/items?${query}&limit=70`)),
  );
  record.concurrent = await Promise.all(
    together.map(async (r) => [r.status, cursors(await r.json())]),
  );
  const fragment = await counted(
    "items fragment",
    () => browser.request(`${base}/ui/${provider}/items`, { headers: { "HX-Request": "true" } }),
  );
  record.fragment = await page(fragment);

  for (
    const path of [
      "/static/app.css",
      "/static/app.js",
      "/static/htmx.min.js",
      "/static/favicon.svg",
    ]
  ) {
    const response = await browser.request(`${base}${path}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const file = await Deno.readFile(`${ROOT}${path.slice(1)}`);
    // Deno adds "; charset=utf-8" to SVG, Workers assets do not.
    const type = response.headers.get("content-type")?.split(";")[0];
    record[path] = [response.status, type, bytes.length];
    assert.deepEqual(bytes, file, `${base}${path} is not the file static/${path.slice(8)}`);
  }
  for (const path of ["/app.css", "/static/missing.css"]) {
    record[path] = (await browser.request(`${base}${path}`)).status;
  }

  const disconnect = await counted(
    "disconnect",
    () => browser.request(`${base}/integrations/${provider}`, { method: "DELETE" }),
  );
  record.disconnect = disconnect.status;
  record.after = (await (await api(`/integrations/${provider}/status?${query}`)).json()).status;
  record.roundTrips = roundTrips;
  record.pacingTrips = pacingTrips;
  return record;
}

/** How many items each sandbox is seeded with, from a sandbox built as the hub builds it. */
const SEEDED_ITEMS: Record<ProviderId, () => number> = {
  hubspot: () => {
    const { control } = createHubspotSandbox({
      clientId: "x",
      clientSecret: "y",
      redirectUris: [],
    });
    return [control.data.contacts, control.data.companies, control.data.deals]
      .flat().filter((r) => !r.archived).length;
  },
  airtable: () => {
    const { control } = createAirtableSandbox({
      clientId: "x",
      clientSecret: "y",
      redirectUris: [],
    });
    return control.bases.reduce(
      (n, base) => n + 1 + base.tables.reduce((m, table) => m + 1 + table.records.length, 0),
      0,
    );
  },
  notion: () =>
    createNotionSandbox({ clientId: "x", clientSecret: "y", redirectUris: [] }).control
      .searchable().length,
};

/**
 * Cursors are sealed with a fresh IV (and Airtable's and Notion's own cursors inside them are
 * random per sandbox), so two runs never share them: next_cursor is compared as present or
 * absent, and the flow follows every cursor to the end, which shows they work.
 */
function withNeutralCursor(page: { next_cursor?: string | null }): unknown {
  return "next_cursor" in page
    ? { ...page, next_cursor: page.next_cursor === null ? null : "…" }
    : page;
}

/** What the flow must show on its own, beyond being the same on both runtimes. */
export function checkFlow(record: FlowRecord, provider: ProviderId): void {
  const html = (key: string) => (record[key] as { html: string }).html;
  assert.match(
    html("loginPage"),
    /^<!DOCTYPE html><html lang="en">.*<form method="post" action="\/login">/,
  );
  assert.match(html("dashboard"), /data-status="connected".*Load items/);
  assert.deepEqual(record.callback, [303, `/?connected=${provider}`]);
  type Page = [number, { items: { id: string }[]; next_cursor: string | null }];
  const [status, all] = record.all as Page;
  assert.equal(status, 200);
  assert.equal(all.items.length, SEEDED_ITEMS[provider]());
  assert.equal(all.next_cursor, null);
  const ids = all.items.map((i) => i.id).sort();
  for (const limit of [70, 1000]) {
    const pages = record[`pages of ${limit}`] as Page[];
    assert.ok(pages.every(([s, p]) => s === 200 && p.items.length <= limit));
    assert.deepEqual(pages.flatMap(([, p]) => p.items.map((i) => i.id)).sort(), ids);
  }
  assert.deepEqual((record["pages of 1"] as Page[]).map(([, p]) => p.items.length), [1, 1, 1]);
  const concurrent = record.concurrent as Page[];
  assert.ok(concurrent.every((page) => JSON.stringify(page) === JSON.stringify(concurrent[0])));
  assert.deepEqual(concurrent[0], (record["pages of 70"] as Page[])[0]);
  assert.equal(record.disconnect, 204);
  assert.equal(record.after, "not_connected");
}

/**
 * What the hub logged while serving `response` (its lines carry the request's X-Request-Id):
 * all of it, the lines of slots taken again (stale, or a 429's retry) and of every provider
 * call that did not succeed, and how many slots were taken again. Waits for the request's own
 * line, logged after them: a Worker's log arrives over a pipe, apart from its answer.
 */
async function pacingEvents(
  logs: () => string,
  response: Response,
): Promise<{ extraSlots: number; unusual: string[]; lines: string[] }> {
  const id = response.headers.get("X-Request-Id");
  if (id === null) throw new Error(`${response.url}: no X-Request-Id`);
  const tag = `"request_id":"${id}"`;
  let text = logs();
  for (let waited = 0; !text.includes(`"message":"request",${tag}`); waited += 10) {
    if (waited > 10_000) throw new Error(`no log line for request ${id}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
    text = logs();
  }
  const lines = text.split("\n").filter((line) => line.includes(tag));
  const retaken = lines.filter((line) => line.includes(`"message":"rate-limit slot retaken"`));
  const failed = lines.filter((line) =>
    line.includes(`"message":"provider call"`) && !line.includes(`"outcome":"ok"`)
  );
  const limited = failed.filter((line) => line.includes(`"outcome":"rate_limited"`));
  return { extraSlots: retaken.length + limited.length, unusual: [...retaken, ...failed], lines };
}
