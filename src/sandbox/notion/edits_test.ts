/**
 * The sandbox's change feed over real HTTP: edits through POST /edit (JSON and the page's form)
 * set last_edited_time to the minute, search sorted by last_edited_time descending shows them
 * first, and a page moved to the trash (with its subpages) leaves search until restored.
 */
import assert from "node:assert/strict";
import { titleOf } from "./data.ts";
import { connect, searchRequest, serve, type Served } from "../../testing/sandboxes/notion.ts";

interface Result {
  id: string;
  last_edited_time: string;
  parent: { type: string; page_id?: string };
}

function edit(s: Served, body: Record<string, string>) {
  return fetch(`${s.url}/edit`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: await r.json() }));
}

async function newestFirst(s: Served, token: string): Promise<Result[]> {
  const results: Result[] = [];
  let cursor: string | null = null;
  do {
    const body: Record<string, unknown> = {
      sort: { timestamp: "last_edited_time", direction: "descending" },
    };
    if (cursor) body.start_cursor = cursor;
    const page = await (await searchRequest(s, token, body)).json();
    results.push(...page.results);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return results;
}

Deno.test("edits stamp last_edited_time to the minute; newest-first search shows them first", async () => {
  let now = Date.UTC(2026, 0, 5, 12, 0, 42, 500);
  const s = serve({
    clock: () => now,
    rateLimit: { requestsPerSecond: 1000, retryAfterSeconds: 1 },
  });
  try {
    const token = String((await connect(s)).access_token);
    const objects = s.control.searchable();
    const home = objects.find((o) => titleOf(o) === "Company Home")!;
    const child = objects.find((o) => o.parent.type === "page_id" && o.parent.page_id === home.id)!;
    const childEdited = child.last_edited_time;

    assert.equal((await edit(s, { action: "rename", id: home.id, name: "Home" })).status, 200);
    now += 60_000;
    const added = await edit(s, { action: "add", id: home.id, name: "Fresh page" });
    assert.equal(added.status, 200);
    const tasks = objects.find((o) => o.object === "database" && titleOf(o) === "Sprint tasks")!;
    const row = await edit(s, { action: "add", id: tasks.id, name: "New task" });
    assert.equal(row.status, 200);

    const results = await newestFirst(s, token);
    assert.deepEqual(
      results.slice(0, 3).map((r) => r.id).sort(),
      [added.body.id, row.body.id].concat(home.id).sort(),
    );
    assert.equal(
      results.find((r) => r.id === home.id)!.last_edited_time,
      "2026-01-05T12:00:00.000Z",
    );
    assert.equal(
      results.find((r) => r.id === added.body.id)!.last_edited_time,
      "2026-01-05T12:01:00.000Z",
    );
    assert.equal(results.find((r) => r.id === child.id)!.last_edited_time, childEdited);
    assert.equal(results.find((r) => r.id === added.body.id)!.parent.page_id, home.id);
    const newRow = s.control.data.objects.find((o) => o.id === row.body.id)!;
    assert.equal(newRow.parent.type, "database_id");
    assert.equal(titleOf(newRow), "New task");
    assert.ok("Task" in (newRow.object === "page" ? newRow.properties : {}));
  } finally {
    await s.close();
  }
});

Deno.test("a page moved to the trash leaves search with its subpages; restored, it comes back", async () => {
  const s = serve({ rateLimit: { requestsPerSecond: 1000, retryAfterSeconds: 1 } });
  try {
    const token = String((await connect(s)).access_token);
    const before = await newestFirst(s, token);
    const engineering = s.control.searchable().find((o) => titleOf(o) === "Engineering")!;
    assert.equal((await edit(s, { action: "trash", id: engineering.id })).status, 200);
    const after = await newestFirst(s, token);
    assert.ok(!after.some((r) => r.id === engineering.id));
    // Architecture, its two pages, the Sprint tasks database and its 120 rows went along.
    assert.equal(before.length - after.length, 1 + 3 + 1 + 120);
    assert.equal((await edit(s, { action: "rename", id: engineering.id, name: "x" })).status, 422);
    assert.equal((await edit(s, { action: "restore", id: engineering.id })).status, 200);
    assert.equal((await newestFirst(s, token)).length, before.length);
  } finally {
    await s.close();
  }
});

Deno.test("the edit page lists the workspace and takes its form; bad edits say why", async () => {
  const s = serve();
  try {
    const page = s.control.searchable().sort((a, b) =>
      b.last_edited_time.localeCompare(a.last_edited_time)
    )[0];
    const html = await (await fetch(`${s.url}/edit`)).text();
    assert.ok(html.includes(page.id) && html.includes(`action="edit"`));
    const posted = await fetch(`${s.url}/edit`, {
      method: "POST",
      body: new URLSearchParams({ action: "rename", id: page.id, name: "Renamed here" }),
    });
    assert.equal(posted.status, 200);
    assert.match(await posted.text(), /Renamed/);
    assert.equal(titleOf(page), "Renamed here");
    assert.equal((await edit(s, { action: "touch", id: "nope" })).status, 404);
    assert.equal((await edit(s, { action: "rename", id: page.id, name: "  " })).status, 400);
    assert.equal((await edit(s, { action: "add", id: "nope", name: "x" })).status, 404);
  } finally {
    await s.close();
  }
});
