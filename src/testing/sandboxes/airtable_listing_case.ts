/** The Airtable sandbox as a row of the provider end-to-end table (../provider_e2e_test.ts). */
import assert from "node:assert/strict";
import type { IntegrationItem } from "../../contract/item.ts";
import { airtable } from "../../providers/airtable.ts";
import type { ListingCase, ServedSandbox } from "../listing_session.ts";
import type {
  AirtableSandboxControl,
  AirtableSandboxOptions,
} from "../../sandbox/airtable/sandbox.ts";
import { CLIENT_ID, CLIENT_SECRET, REDIRECT, seededIds, serve } from "./airtable.ts";

export function serveAirtable(
  options: Partial<AirtableSandboxOptions> = {},
): ServedSandbox<AirtableSandboxControl> {
  const s = serve(options);
  return {
    app: {
      base: s.url,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: REDIRECT,
      authorizePath: "/oauth2/v1/authorize",
      tokenPath: "/oauth2/v1/token",
    },
    control: s.control,
    close: s.close,
  };
}

/** Every item matches the seeded object it names: type, name, parent, url. */
function assertMatchesSeed(items: IntegrationItem[], control: AirtableSandboxControl): void {
  const expected = new Map<string, Partial<IntegrationItem>>();
  for (const base of control.bases) {
    expected.set(base.id, { type: "base", name: base.name || "Untitled", parent_id: null });
    for (const table of base.tables) {
      expected.set(table.id, { type: "table", name: table.name, parent_id: base.id });
      for (const r of table.records) {
        expected.set(r.id, {
          type: "record",
          parent_id: table.id,
          parent_path_or_name: table.name,
          url: `https://airtable.com/${base.id}/${table.id}/${r.id}`,
          creation_time: r.createdTime,
        });
      }
    }
  }
  for (const item of items) {
    const want = expected.get(item.id);
    assert.ok(want, `unexpected item ${item.id}`);
    for (const [key, value] of Object.entries(want)) {
      assert.equal(item[key as keyof IntegrationItem], value, `${item.id} ${key}`);
    }
  }
}

/** At most 5 requests per second reached any base, and none was refused. */
export function assertPaced(control: AirtableSandboxControl): void {
  for (const [base, stats] of Object.entries(control.counters.perBase)) {
    assert.ok(stats.maxPerSecond <= 5, `${base} saw ${stats.maxPerSecond} requests in a second`);
  }
  assert.equal(control.counters.rateLimited, 0);
}

export const airtableCase: ListingCase<AirtableSandboxControl> = {
  name: "Airtable",
  spec: airtable,
  serve: serveAirtable,
  expectedIds: (control) => seededIds(control.bases),
  assertMatchesSeed,
  assertPaced,
  checkAuthorizeUrl: (url) => assert.equal(url.searchParams.get("code_challenge_method"), "S256"),
  checkUnpaged: async (items, session, control) => {
    const account = await session.connection();
    assert.deepEqual(account.account, { id: control.user.id, name: control.user.id });
    assert.deepEqual(account.scopes, ["data.records:read", "schema.bases:read"]);
    const byId = new Map(items.map((i) => [i.id, i]));
    const name = (base: number, table: number, record: number) => {
      const r = control.bases[base].tables[table].records[record];
      return byId.get(r.id)!.name;
    };
    assert.equal(name(0, 0, 0), "Feature 1");
    assert.equal(name(0, 0, 3), control.bases[0].tables[0].records[3].id, "empty primary");
    assert.equal(name(0, 0, 11), "padded with spaces");
    assert.equal(name(0, 1, 0), "0", "the number zero is a name");
    assert.equal(name(0, 1, 1), "1.5");
    assert.equal(name(1, 0, 0), "Person 0");
    assert.equal(name(1, 0, 2), "no.name@example.com");
    assert.equal(name(1, 1, 0), "Interview #1 — round 1");
    assert.match(name(1, 2, 0), /^rec[A-Za-z0-9]{14}, rec[A-Za-z0-9]{14}$/);
    assert.equal(name(2, 0, 0), "SKU-1000");
    assert.equal(name(3, 0, 0), "2025-03-01");
    // One bases page, one schema per base, ceil(records / 100) pages per table (at least one).
    const tables = control.bases.flatMap((b) => b.tables);
    const expectedCalls = 1 + control.bases.length +
      tables.reduce((n, table) => n + Math.max(1, Math.ceil(table.records.length / 100)), 0);
    assert.equal(session.calls(), expectedCalls);
  },
  // Bases in pages of 3 as well as records in pages.
  paged: { options: { basesPageSize: 3 }, limit: 23 },
  rateLimited: {
    options: { rateLimit: { perBasePerSecond: 5, penaltyMs: 400 } },
    spec: {
      ...airtable,
      rateLimits: {
        ...airtable.rateLimits,
        rules: airtable.rateLimits.rules.map((rule) => ({ ...rule, penaltyMs: 400 })),
      },
    },
    inject: (control) =>
      control.failNext("api", {
        status: 429,
        body: {
          errors: [{
            error: "RATE_LIMIT_REACHED",
            message: "Rate limit exceeded. Please try again later",
          }],
        },
      }),
    atLeastMs: 400,
  },
};
