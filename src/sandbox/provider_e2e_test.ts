/**
 * Each provider module end to end against its sandbox over real HTTP, through the hub's own
 * pieces (src/testing/listing_session.ts), in one table: whole and paged listings against the
 * seed, a token expiring mid-listing, rate limits waited out. What only one provider does stays
 * in its sandbox's provider_e2e_test.ts.
 */
import assert from "node:assert/strict";
import type { ChainPosition } from "../contract/chains.ts";
import { type ListingCase, listingSession, providerAt } from "../testing/listing_session.ts";
import { airtableCase } from "../testing/sandboxes/airtable_listing_case.ts";
import { notionCase } from "../testing/sandboxes/notion_listing_case.ts";
import type { OAuthCounters } from "./oauth_server.ts";

/** What every sandbox's control offers the table. */
interface Control {
  readonly counters: OAuthCounters;
  expireAccessTokens(): Promise<void>;
  liveRefreshTokens(): Promise<string[]>;
}

/** A listing session against a freshly served sandbox, closed after `test`. */
async function withSession<C extends Control>(
  c: ListingCase<C>,
  options: Record<string, unknown>,
  test: (t: Awaited<ReturnType<typeof listingSession>>, control: C) => Promise<void>,
  spec = c.spec,
): Promise<void> {
  const s = c.serve(options);
  const session = await listingSession(providerAt(spec, s.app), c.checkAuthorizeUrl);
  try {
    await test(session, s.control);
  } finally {
    session.close();
    await s.close();
  }
}

function rowsOf<C extends Control>(c: ListingCase<C>): void {
  Deno.test(`${c.name}: unpaged, every item exactly once and as seeded, paced`, async () => {
    await withSession(c, {}, async (t, control) => {
      const { items, remaining } = await t.list(null);
      assert.deepEqual(remaining, []);
      const ids = items.map((i) => i.id);
      assert.equal(new Set(ids).size, ids.length);
      assert.deepEqual([...ids].sort(), c.expectedIds(control));
      c.assertMatchesSeed(items, control);
      c.assertPaced(control);
      await c.checkUnpaged(items, t, control);
    });
  });

  Deno.test(`${c.name}: paged with a small limit, nothing lost or repeated, still paced`, async () => {
    await withSession(c, c.paged.options, async (t, control) => {
      const seen: string[] = [];
      let positions: ChainPosition[] = c.spec.startChains();
      let pages = 0;
      while (positions.length > 0) {
        const { items, remaining } = await t.list(c.paged.limit, positions);
        assert.ok(items.length <= c.paged.limit);
        c.assertMatchesSeed(items, control);
        seen.push(...items.map((i) => i.id));
        positions = remaining;
        pages++;
      }
      assert.equal(new Set(seen).size, seen.length, "an item was repeated");
      assert.deepEqual(seen.sort(), c.expectedIds(control));
      if (c.paged.pages) assert.equal(pages, c.paged.pages(seen.length));
      c.assertPaced(control);
    });
  });

  Deno.test(`${c.name}: an access token expiring mid-listing is refreshed once, the new pair kept`, async () => {
    await withSession(c, {}, async (t, control) => {
      const before = (await t.connection()).tokens;
      const first = await t.list(50);
      await control.expireAccessTokens();
      const rest = await t.list(null, first.remaining);
      const ids = [...first.items, ...rest.items].map((i) => i.id).sort();
      assert.deepEqual(ids, c.expectedIds(control));
      const after = (await t.connection()).tokens;
      assert.notEqual(after.accessToken, before.accessToken);
      assert.notEqual(after.refreshToken, before.refreshToken);
      assert.deepEqual(await control.liveRefreshTokens(), [after.refreshToken]);
      assert.equal(control.counters.refreshes, 1);
      assert.equal(control.counters.reusedRefreshTokens, 0);
      c.afterRefresh?.(control);
    });
  });

  Deno.test(`${c.name}: a rate-limited answer is waited out and the listing completes`, async () => {
    const { options, spec, inject, atLeastMs } = c.rateLimited;
    await withSession(c, options, async (t, control) => {
      inject(control);
      const started = Date.now();
      const { items } = await t.list(null);
      assert.ok(Date.now() - started >= atLeastMs);
      assert.deepEqual(items.map((i) => i.id).sort(), c.expectedIds(control));
    }, spec);
  });
}

rowsOf(airtableCase);
rowsOf(notionCase);
