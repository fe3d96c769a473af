/** CRM search over real HTTP: filters, sorts, paging, the 10,000 cap, its own limit, archived. */
import assert from "node:assert/strict";
import {
  call,
  crm,
  type FakeClock,
  type Served,
  withToken,
} from "../../testing/sandboxes/hubspot.ts";

interface SearchAnswer {
  total: number;
  results: { id: string; properties: Record<string, string | null>; archived: boolean }[];
  paging?: { next: { after: string } };
}

function search(s: Served, token: string, type: string, body: unknown) {
  return call(`${s.base}/crm/v3/objects/${type}/search`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function withSearch(
  test: (s: Served, token: string, clock: FakeClock) => Promise<void>,
  counts = { contacts: 430, companies: 60, deals: 90 },
) {
  await withToken(test, { counts });
}

const modifiedSince = (property: string, from: number, after?: string) => ({
  filterGroups: [{ filters: [{ propertyName: property, operator: "GTE", value: String(from) }] }],
  sorts: [{ propertyName: property, direction: "ASCENDING" }],
  limit: 200,
  ...(after === undefined ? {} : { after }),
});

Deno.test("search filters on the modified date, sorts ascending, pages 200 at a time, never archived", async () => {
  await withSearch(async (s, token, clock) => {
    const contacts = s.control.data.contacts;
    const times = contacts.filter((r) => !r.archived).map((r) =>
      Date.parse(r.properties.lastmodifieddate!)
    ).sort((a, b) => a - b);
    const from = times[100];
    const seen: string[] = [];
    let after: string | undefined;
    do {
      clock.advance(1000); // search allows five a second
      const answer = await search(
        s,
        token,
        "contacts",
        modifiedSince("lastmodifieddate", from, after),
      );
      assert.equal(answer.status, 200, answer.text);
      const body = answer.json as unknown as SearchAnswer;
      assert.equal(body.total, times.filter((t) => t >= from).length);
      assert.ok(body.results.length <= 200);
      seen.push(...body.results.map((r) => r.properties.lastmodifieddate!));
      assert.ok(body.results.every((r) => !r.archived));
      after = body.paging?.next.after;
    } while (after !== undefined);
    const expected = times.filter((t) => t >= from);
    assert.deepEqual(seen.map((t) => Date.parse(t)), expected, "every match once, ascending");

    // EQ on hs_object_id; LT and GT; groups are ORed; filters in a group ANDed.
    const [a, b] = contacts.filter((r) => !r.archived);
    clock.advance(1000);
    const either = await search(s, token, "contacts", {
      filterGroups: [
        { filters: [{ propertyName: "hs_object_id", operator: "EQ", value: a.id }] },
        { filters: [{ propertyName: "hs_object_id", operator: "EQ", value: b.id }] },
      ],
    });
    assert.deepEqual((either.json as unknown as SearchAnswer).results.map((r) => r.id), [
      a.id,
      b.id,
    ]);
    const archived = contacts.find((r) => r.archived)!;
    const none = await search(s, token, "contacts", {
      filterGroups: [{
        filters: [{ propertyName: "hs_object_id", operator: "EQ", value: archived.id }],
      }],
    });
    assert.equal(
      (none.json as unknown as SearchAnswer).total,
      0,
      "archived records are not searched",
    );
    const window = await search(s, token, "contacts", {
      filterGroups: [{
        filters: [
          { propertyName: "hs_object_id", operator: "GT", value: a.id },
          { propertyName: "hs_object_id", operator: "LT", value: String(Number(b.id) + 1) },
        ],
      }],
    });
    assert.deepEqual((window.json as unknown as SearchAnswer).results.map((r) => r.id), [b.id]);

    // Bad bodies are 400 VALIDATION_ERROR, as is a page over 200.
    clock.advance(1000);
    for (
      const body of [
        { limit: 201 },
        { filterGroups: [{ filters: [{ propertyName: "x", operator: "LIKE", value: "1" }] }] },
        { filterGroups: [{ filters: [{ propertyName: "x", operator: "GTE" }] }] },
      ]
    ) {
      const answer = await search(s, token, "contacts", body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.json?.category, "VALIDATION_ERROR");
    }
  });
});

Deno.test("search pages up to its 10,000th result and answers 400 past it", async () => {
  await withSearch(async (s, token) => {
    const last = await search(s, token, "contacts", { limit: 200, after: "9800" });
    assert.equal(last.status, 200);
    assert.equal((last.json as unknown as SearchAnswer).results.length, 200);
    assert.ok((last.json as unknown as SearchAnswer).paging, "more exist, but cannot be paged to");
    const past = await search(s, token, "contacts", { limit: 200, after: "10000" });
    assert.equal(past.status, 400);
    assert.equal(past.json?.category, "VALIDATION_ERROR");
  }, { contacts: 10_500, companies: 10, deals: 10 });
});

Deno.test("search has its own limit of five a second per account, answered as HubSpot does", async () => {
  await withSearch(async (s, token, clock) => {
    for (let i = 0; i < 5; i++) {
      assert.equal((await search(s, token, "deals", { limit: 1 })).status, 200);
    }
    const limited = await search(s, token, "deals", { limit: 1 });
    assert.equal(limited.status, 429);
    assert.equal(limited.json?.policyName, "SECONDLY");
    assert.equal(limited.headers.get("retry-after"), null);
    // The list endpoint is not held up by it.
    assert.equal((await crm(s, "/crm/v3/objects/deals?limit=1", token)).status, 200);
    clock.advance(1001);
    assert.equal((await search(s, token, "deals", { limit: 1 })).status, 200);
  });
});

Deno.test("a record deleted on the edit page is archived: gone from search and the list, in ?archived=true", async () => {
  await withSearch(async (s, token, clock) => {
    const deal = s.control.data.deals.find((r) => !r.archived)!;
    const edit = await call(`${s.base}/edit`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ action: "delete", type: "deals", id: deal.id }),
    });
    assert.equal(edit.status, 200);
    const byId = {
      filterGroups: [{
        filters: [{ propertyName: "hs_object_id", operator: "EQ", value: deal.id }],
      }],
    };
    assert.equal(
      ((await search(s, token, "deals", byId)).json as unknown as SearchAnswer).total,
      0,
    );
    const archived = await crm(s, "/crm/v3/objects/deals?archived=true&limit=100", token);
    const record = (archived.json as unknown as { results: { id: string; archivedAt: string }[] })
      .results.find((r) => r.id === deal.id);
    assert.equal(record?.archivedAt, new Date(clock.now()).toISOString());
  });
});
