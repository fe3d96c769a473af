/**
 * HubSpot's change feed against the sandbox over real HTTP: more than 10,000 changes of one type
 * are read whole by restarting the search from the last value seen (never a 400), and the
 * archived listing names the records deleted since the watermark, only those.
 */
import assert from "node:assert/strict";
import type { z } from "zod";
import { connect, type Served, serveSandbox } from "../testing/sandboxes/hubspot.ts";
import { hubspot } from "./hubspot.ts";
import type { ApiRequest, ProviderApi } from "../contract/calls.ts";
import type { ChainPosition } from "../contract/chains.ts";

/** A plain client: one HTTP request per call, failing on any answer but 200. */
function plainApi(s: Served, token: string): ProviderApi & { calls: number } {
  return {
    calls: 0,
    async call<T>(request: ApiRequest, schema: z.ZodType<T>): Promise<T> {
      this.calls++;
      const url = new URL(`${s.base}${request.path}`);
      for (const [name, value] of Object.entries(request.query ?? {})) {
        url.searchParams.set(name, value);
      }
      const response = await fetch(url, {
        method: request.method,
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: request.json === undefined ? undefined : JSON.stringify(request.json),
      });
      const body = await response.json();
      assert.equal(response.status, 200, JSON.stringify(body));
      return schema.parse(body);
    },
  };
}

/** Follows one chain of the feed to its end. */
async function follow(api: ProviderApi, start: ChainPosition) {
  const feed = hubspot.changeFeed!;
  const upserts: string[] = [];
  const deletions: string[] = [];
  let watermark: Record<string, string> = {};
  for (let position: ChainPosition | null = start; position !== null;) {
    const page = await feed.fetchChanges(position, api, { extra: { hub_id: "62515" } });
    upserts.push(...page.upserts.map((item) => item.id));
    deletions.push(...page.deletions);
    watermark = { ...watermark, ...page.watermark };
    position = page.next === null ? null : { ...position, cursor: page.next };
  }
  return { upserts, deletions, watermark };
}

Deno.test("more than 10,000 changed contacts are read whole, restarting the search past the cap", async () => {
  const s = serveSandbox({
    counts: { contacts: 10_600, companies: 5, deals: 5 },
    searchRateLimit: { max: 1000, intervalMs: 1000 },
  });
  try {
    const api = plainApi(s, (await connect(s)).access_token);
    const feed = hubspot.changeFeed!;
    const everything = Object.fromEntries(
      ["contacts", "companies", "deals"].flatMap((t) => [[t, "0"], [`${t}:archived`, "0"]]),
    );
    const chains = feed.startChains(everything)!;
    const search = await follow(api, chains.find((c) => c.chain === "contacts:changes")!);
    const live = s.control.data.contacts.filter((r) => !r.archived);
    assert.ok(live.length > 10_000);
    assert.deepEqual(new Set(search.upserts), new Set(live.map((r) => `contact:${r.id}`)));
    const newest = Math.max(...live.map((r) => Date.parse(r.properties.lastmodifieddate!)));
    assert.equal(search.watermark.contacts, String(newest));
    assert.ok(api.calls <= Math.ceil(live.length / 200) + 2, `${api.calls} searches`);

    // The archived listing: records archived after the watermark, not those before it.
    const deletedBefore = s.control.data.contacts.filter((r) => r.archived).map((r) => r.id);
    const later = { ...everything, "contacts:archived": String(Date.now()) };
    const target = live[3];
    await fetch(`${s.base}/edit`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ action: "delete", type: "contacts", id: target.id }),
    }).then((r) => r.body?.cancel());
    const archived = await follow(
      api,
      feed.startChains(later)!.find((c) => c.chain === "contacts:archived")!,
    );
    assert.deepEqual(archived.deletions, [`contact:${target.id}`]);
    assert.ok(deletedBefore.length > 100, "several pages of older deletions were skipped");
  } finally {
    await s.close();
  }
});
