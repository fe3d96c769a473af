/**
 * What only Notion's listings meet, end to end through the hub's own pieces: legacy grants
 * without a refresh token, a lower rate limit, revocation. Everything every provider meets:
 * ../provider_e2e_test.ts.
 */
import assert from "node:assert/strict";
import { ProviderError, ReconnectRequiredError } from "../../errors.ts";
import { notion } from "../../providers/notion.ts";
import {
  type ListingSession,
  listingSession,
  providerAt,
  SESSION_OWNER,
} from "../../testing/listing_session.ts";
import { serveNotion } from "../../testing/sandboxes/notion_listing_case.ts";
import type { NotionSandboxControl, NotionSandboxOptions } from "./sandbox.ts";

async function withSession(
  options: Partial<NotionSandboxOptions>,
  test: (t: ListingSession, s: ReturnType<typeof serveNotion>) => Promise<void>,
): Promise<void> {
  const s = serveNotion(options);
  const t = await listingSession(providerAt(notion, s.app));
  try {
    await test(t, s);
  } finally {
    t.close();
    await s.close();
  }
}

const everything = (control: NotionSandboxControl) => control.searchable().length;

Deno.test("a legacy connection without a refresh token asks for a reconnect on 401", async () => {
  await withSession({ issueRefreshTokens: false }, async (t, s) => {
    assert.equal((await t.connection()).tokens.refreshToken, null);
    assert.equal((await t.list(null)).items.length, everything(s.control));
    await s.control.expireAccessTokens();
    await assert.rejects(t.list(null), ReconnectRequiredError);
    assert.equal((await t.connection()).status, "reconnect_required");
  });
});

Deno.test("a burst beyond Notion's limit is paced, then waited out when the limit is lower", async () => {
  const options = { pages: 40, rateLimit: { requestsPerSecond: 1, retryAfterSeconds: 1 } };
  await withSession(options, async (t, s) => {
    const seen = await t.listAll(20);
    assert.equal(seen.length, everything(s.control));
    assert.ok(s.control.counters.rateLimited >= 1);
  });
});

Deno.test("revoke uses Basic and the version header; a refused revoke throws", async () => {
  await withSession({}, async (t, s) => {
    const tokens = (await t.connections.get("notion", SESSION_OWNER))!.tokens;
    const app = providerAt(notion, s.app).app;
    await assert.rejects(notion.revoke!(tokens, { ...app, clientSecret: "wrong" }), ProviderError);
    await notion.revoke!(tokens, app);
    assert.equal(s.control.counters.revocations, 1);
    assert.deepEqual(await s.control.liveRefreshTokens(), []);
    await assert.rejects(t.list(null), ReconnectRequiredError);
  });
});
