/** The Notion sandbox as a row of the provider end-to-end table (../provider_e2e_test.ts). */
import assert from "node:assert/strict";
import type { IntegrationItem } from "../../contract/item.ts";
import { notion } from "../../providers/notion.ts";
import type { ListingCase, ServedSandbox } from "../listing_session.ts";
import { type NotionObject, titleOf } from "../../sandbox/notion/data.ts";
import type { NotionSandboxControl, NotionSandboxOptions } from "../../sandbox/notion/sandbox.ts";
import { CLIENT_ID, CLIENT_SECRET, REDIRECT, serve } from "./notion.ts";

export function serveNotion(
  options: Partial<NotionSandboxOptions> = {},
  clientSecret = CLIENT_SECRET,
): ServedSandbox<NotionSandboxControl> {
  const s = serve(options);
  return {
    app: {
      base: s.url,
      clientId: CLIENT_ID,
      clientSecret,
      redirectUri: REDIRECT,
      authorizePath: "/v1/oauth/authorize",
      tokenPath: "/v1/oauth/token",
    },
    control: s.control,
    close: s.close,
  };
}

function expectedName(o: NotionObject): string {
  return titleOf(o).trim() || "Untitled";
}

function parentIdOf(o: NotionObject): string | null {
  const p = o.parent;
  return p.type === "page_id" ? p.page_id : p.type === "database_id" ? p.database_id : null;
}

/** Each item matches its seeded object; its parent is linked iff the parent is in `items`. */
function assertMatchesSeed(items: IntegrationItem[], control: NotionSandboxControl): void {
  const byId = new Map(control.searchable().map((o) => [o.id, o]));
  const listed = new Set(items.map((i) => i.id));
  for (const item of items) {
    const o = byId.get(item.id);
    assert.ok(o, `unexpected item ${item.id}`);
    assert.equal(item.type, o.object);
    assert.equal(item.directory, o.object === "database");
    assert.equal(item.name, expectedName(o));
    assert.equal(item.url, o.url);
    assert.equal(item.creation_time, o.created_time);
    assert.equal(item.last_modified_time, o.last_edited_time);
    const parentId = parentIdOf(o);
    const linked = parentId !== null && listed.has(parentId) ? byId.get(parentId)! : null;
    assert.equal(item.parent_id, linked?.id ?? null, item.name);
    assert.equal(item.parent_path_or_name, linked === null ? null : expectedName(linked));
  }
}

export const notionCase: ListingCase<NotionSandboxControl> = {
  name: "Notion",
  spec: notion,
  serve: serveNotion,
  expectedIds: (control) => control.searchable().map((o) => o.id).sort(),
  assertMatchesSeed,
  assertPaced: (control) => assert.equal(control.counters.rateLimited, 0),
  checkAuthorizeUrl: (url) => {
    assert.equal(url.searchParams.get("owner"), "user");
    assert.equal(url.searchParams.get("scope"), null);
  },
  checkUnpaged: async (items, session, control) => {
    const connection = await session.connection();
    assert.equal(connection.account?.name, "Acme Sandbox");
    assert.equal(connection.tokens.expiresAt, null);
    assert.notEqual(connection.tokens.refreshToken, null);
    assert.equal(session.calls(), Math.ceil(control.searchable().length / 100));
    assert.ok(items.filter((i) => i.parent_id !== null).length > 130);
    const row = items.find((i) => i.name.startsWith("Task 1:"))!;
    assert.equal(row.parent_path_or_name, "Sprint tasks");
    assert.equal(items.find((i) => i.name === "Inside a toggle")!.parent_id, null);
    assert.equal(items.find((i) => i.name === "Shared child of a private page")!.parent_id, null);
  },
  // A rotated-away access token was never used again.
  afterRefresh: (control) => assert.equal(control.counters.rotatedAccessTokenUses, 0),
  paged: { options: { pages: 60, seed: 11 }, limit: 9, pages: (ids) => Math.ceil(ids / 9) },
  rateLimited: {
    options: {},
    spec: notion,
    inject: (control) => {
      control.failNext("api", { status: 429, headers: { "Retry-After": "1" } });
      control.failNext("api", { status: 529, headers: { "Retry-After": "1" } });
    },
    atLeastMs: 1900,
  },
};
