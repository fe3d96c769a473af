/**
 * What only Airtable's listings meet, end to end through the hub's own pieces: records offsets
 * (iterators) that expire. Everything every provider meets: ../provider_e2e_test.ts.
 */
import assert from "node:assert/strict";
import { airtable } from "../../providers/airtable.ts";
import { listingSession, providerAt } from "../../testing/listing_session.ts";
import { assertPaced, serveAirtable } from "../../testing/sandboxes/airtable_listing_case.ts";
import { seededIds } from "../../testing/sandboxes/airtable.ts";

Deno.test("iterators expiring mid-table, between pages or within one run, lose and repeat nothing", async () => {
  const s = serveAirtable();
  const t = await listingSession(providerAt(airtable, s.app));
  try {
    const paged = await t.listAll(40, () => s.control.expireIterators());
    assert.deepEqual(paged.map((i) => i.id).sort(), seededIds(s.control.bases));
    const expiredBetweenPages = s.control.counters.expiredIterators;
    assert.ok(expiredBetweenPages >= 3, "listings did restart");
    // The first and third calls that carry an offset find every iterator expired, theirs too:
    // each restarts its table, whose next page is another such call.
    let offsetCalls = 0;
    t.onCall(async (request) => {
      if (request.query?.offset === undefined) return;
      if (++offsetCalls === 1 || offsetCalls === 3) await s.control.expireIterators();
    });
    const { items } = await t.list(null);
    assert.ok(s.control.counters.expiredIterators >= expiredBetweenPages + 2);
    const ids = items.map((i) => i.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(ids.sort(), seededIds(s.control.bases));
    assertPaced(s.control);
  } finally {
    t.close();
    await s.close();
  }
});
