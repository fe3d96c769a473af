/** The Notion sandbox's search API, checked against the documented behaviour over real HTTP. */
import assert from "node:assert/strict";
import { titleOf } from "./data.ts";
import { connect, searchRequest, serve, type Served } from "../../testing/sandboxes/notion.ts";

async function tokenFor(s: Served): Promise<string> {
  return String((await connect(s)).access_token);
}

const fast = { requestsPerSecond: 1000, retryAfterSeconds: 1 };

Deno.test("search needs Notion-Version and a live token, in Notion's error envelope", async () => {
  const s = serve();
  try {
    const token = await tokenFor(s);
    const missing = await searchRequest(s, token, {}, { "Notion-Version": "" });
    assert.equal(missing.status, 400);
    const body = await missing.json();
    assert.equal(body.object, "error");
    assert.equal(body.code, "missing_version");
    const unknown = await searchRequest(s, "ntn_nope", {});
    assert.equal(unknown.status, 401);
    const refusal = await unknown.json();
    assert.deepEqual(
      {
        object: refusal.object,
        status: refusal.status,
        code: refusal.code,
        message: refusal.message,
      },
      { object: "error", status: 401, code: "unauthorized", message: "API token is invalid." },
    );
    assert.equal(typeof refusal.request_id, "string");
    await s.control.expireAccessTokens();
    assert.equal((await searchRequest(s, token, {})).status, 401);
  } finally {
    await s.close();
  }
});

Deno.test("search pages with has_more and next_cursor and covers every shared object once", async () => {
  const s = serve({ rateLimit: fast });
  try {
    const token = await tokenFor(s);
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await searchRequest(s, token, {
        page_size: 40,
        start_cursor: cursor ?? undefined,
      });
      assert.equal(response.status, 200);
      const page = await response.json();
      assert.equal(page.object, "list");
      assert.equal(page.type, "page_or_database");
      assert.deepEqual(page.page_or_database, {});
      assert.equal(page.has_more, page.next_cursor !== null);
      assert.ok(page.results.length <= 40);
      ids.push(...page.results.map((r: { id: string }) => r.id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor !== null);
    const expected = s.control.searchable().map((o) => o.id);
    assert.equal(pages, Math.ceil(expected.length / 40));
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(ids.sort(), expected.sort());
    const trashed = s.control.data.objects.filter((o) => o.in_trash).map((o) => o.id);
    assert.ok(trashed.length > 0 && trashed.every((id) => !ids.includes(id)));

    const full = await (await searchRequest(s, token, {})).json();
    assert.equal(full.results.length, 100);
    assert.equal(full.has_more, true);
  } finally {
    await s.close();
  }
});

Deno.test("search validates page_size, cursors and the body, never answering 500", async () => {
  const s = serve({ rateLimit: fast });
  try {
    const token = await tokenFor(s);
    for (
      const body of [
        { page_size: 101 },
        { page_size: 0 },
        { filter: { property: "object", value: "data_source" } },
        { sort: { timestamp: "created_time", direction: "ascending" } },
        { start_cursor: crypto.randomUUID() },
        { unexpected: true },
        [1, 2],
      ]
    ) {
      const response = await searchRequest(s, token, body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal((await response.json()).code, "validation_error");
    }
    const broken = await searchRequest(s, token, "{not json");
    assert.equal((await broken.json()).code, "invalid_json");

    const first = await (await searchRequest(s, token, { page_size: 5 })).json();
    const reused = await searchRequest(s, token, { page_size: 5, start_cursor: first.next_cursor });
    assert.equal(reused.status, 200);
    const otherQuery = await searchRequest(s, token, {
      page_size: 5,
      start_cursor: first.next_cursor,
      filter: { property: "object", value: "page" },
    });
    assert.equal(otherQuery.status, 400);
    await s.control.expireCursors();
    const used = await searchRequest(s, token, { page_size: 5, start_cursor: first.next_cursor });
    assert.equal(used.status, 400);
    assert.equal((await used.json()).code, "validation_error");
    const wrongPath = await fetch(`${s.url}/v1/nothing-here`);
    assert.equal((await wrongPath.json()).code, "invalid_request_url");
  } finally {
    await s.close();
  }
});

Deno.test("search filters by object, matches titles case-insensitively and sorts by edit time", async () => {
  const s = serve({ rateLimit: fast });
  try {
    const token = await tokenFor(s);
    const databases = await (await searchRequest(s, token, {
      filter: { property: "object", value: "database" },
    })).json();
    const expectedDbs = s.control.searchable().filter((o) => o.object === "database");
    assert.equal(databases.results.length, expectedDbs.length);
    assert.ok(databases.results.every((r: { object: string }) => r.object === "database"));

    const meetings = await (await searchRequest(s, token, { query: "MEETING" })).json();
    const titles = meetings.results.map((r: Parameters<typeof titleOf>[0]) => titleOf(r)).sort();
    assert.deepEqual(titles, ["Meeting notes", "Meetings 📅"]);

    for (const direction of ["ascending", "descending"] as const) {
      const page = await (await searchRequest(s, token, {
        sort: { timestamp: "last_edited_time", direction },
      })).json();
      const times = page.results.map((r: { last_edited_time: string }) => r.last_edited_time);
      const sorted = [...times].sort();
      assert.deepEqual(times, direction === "ascending" ? sorted : sorted.reverse());
    }
  } finally {
    await s.close();
  }
});

Deno.test("a burst over 3 requests in a second gets 429 rate_limited with Retry-After", async () => {
  let now = Date.UTC(2026, 0, 1, 12, 0, 0);
  const s = serve({ clock: () => now });
  try {
    const token = await tokenFor(s);
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const response = await searchRequest(s, token, { page_size: 1 });
      statuses.push(response.status);
      if (response.status === 429) {
        assert.equal(response.headers.get("Retry-After"), "1");
        const body = await response.json();
        assert.equal(body.code, "rate_limited");
        assert.equal(body.status, 429);
      } else await response.body?.cancel();
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    assert.equal(s.control.counters.rateLimited, 2);
    now += 1000;
    assert.equal((await searchRequest(s, token, { page_size: 1 })).status, 200);
  } finally {
    await s.close();
  }
});

Deno.test("API faults can be injected: 500, 529 service_overload, 429 with a custom Retry-After", async () => {
  const s = serve();
  try {
    const token = await tokenFor(s);
    s.control.failNext("api", { status: 529 });
    s.control.failNext("api", { status: 429, headers: { "Retry-After": "7" } });
    const overloaded = await searchRequest(s, token, {});
    assert.equal(overloaded.status, 529);
    assert.equal((await overloaded.json()).code, "service_overload");
    const limited = await searchRequest(s, token, {});
    assert.equal(limited.headers.get("Retry-After"), "7");
    assert.equal((await limited.json()).code, "rate_limited");
    const me = await fetch(`${s.url}/v1/users/me`, {
      headers: { Authorization: `Bearer ${token}`, "Notion-Version": "2022-06-28" },
    });
    const bot = await me.json();
    assert.equal(bot.type, "bot");
    assert.equal(bot.bot.workspace_name, "Acme Sandbox");
  } finally {
    await s.close();
  }
});
