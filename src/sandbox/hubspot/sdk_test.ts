/**
 * Fidelity against code no one here wrote: HubSpot's official Node SDK (@hubspot/api-client)
 * builds the install URL, exchanges the code, reads token metadata, refreshes, revokes and pages
 * through every contact, company and deal of the sandbox mounted as the hub mounts it.
 */
import assert from "node:assert/strict";
import { Client } from "@hubspot/api-client";
import type { CrmRecord, ObjectType } from "./data.ts";
import {
  call,
  CLIENT_ID,
  CLIENT_SECRET,
  consentForm,
  postForm,
  REDIRECT,
  SCOPES,
  serveSandbox,
} from "../../testing/sandboxes/hubspot.ts";

const MOUNT = "/sandbox/hubspot";

/** What the SDK throws for a non-2xx answer (its ApiException). */
interface SdkError {
  code: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}
const sdkError = (error: unknown): SdkError => error as SdkError;

const ids = (records: { id: string }[]) => records.map((r) => r.id);
const seeded = (records: CrmRecord[], archived = false) =>
  ids(records.filter((r) => r.archived === archived));

Deno.test("the official SDK connects through the install page and pages through every record", async () => {
  const s = serveSandbox({}, MOUNT);
  try {
    // The SDK's own install URL (always app.hubspot.com), pointed at the sandbox.
    const sdkUrl = new URL(
      new Client().oauth.getAuthorizationUrl(
        CLIENT_ID,
        REDIRECT,
        SCOPES.join(" "),
        "crm.objects.owners.read",
        "sdk-state",
      ),
    );
    const page = await call(`${s.base}/oauth/authorize${sdkUrl.search}`);
    assert.equal(page.status, 200);
    const form = consentForm(page.text);
    assert.equal(form.action, `${MOUNT}/oauth/authorize`);
    const back = await postForm(`${new URL(s.base).origin}${form.action}`, {
      ...form.fields,
      decision: "approve",
    });
    const callback = new URL(back.headers.get("location") ?? "");
    assert.equal(callback.searchParams.get("state"), "sdk-state");

    const oauth = new Client({ basePath: s.base }).oauth;
    const tokens = await oauth.tokensApi.create(
      "authorization_code",
      callback.searchParams.get("code") ?? "",
      REDIRECT,
      CLIENT_ID,
      CLIENT_SECRET,
    );
    assert.equal(tokens.tokenType, "bearer");
    assert.equal(tokens.expiresIn, 1800);

    const info = await oauth.accessTokensApi.get(tokens.accessToken);
    assert.equal(info.hubId, s.control.hubId);
    assert.deepEqual(info.scopes, [...SCOPES, "crm.objects.owners.read"]);

    const client = new Client({ accessToken: tokens.accessToken, basePath: s.base });
    const lists: Record<ObjectType, () => Promise<{ id: string }[]>> = {
      contacts: () => client.crm.contacts.getAll(),
      companies: () => client.crm.companies.getAll(),
      deals: () => client.crm.deals.getAll(),
    };
    for (const [type, list] of Object.entries(lists) as [ObjectType, typeof lists.deals][]) {
      assert.deepEqual(ids(await list()), seeded(s.control.data[type]), type);
    }
    assert.ok(seeded(s.control.data.contacts).length > 300);
    const archived = await client.crm.deals.getAll(
      100,
      undefined,
      undefined,
      undefined,
      undefined,
      true,
    );
    assert.deepEqual(ids(archived), seeded(s.control.data.deals, true));
    assert.ok(archived.every((r) => r.archived === true && r.archivedAt instanceof Date));

    // Small pages, several properties (the SDK repeats `properties=`), its own cursor handling.
    const paged: string[] = [];
    let after: string | undefined;
    do {
      const page = await client.crm.contacts.basicApi.getPage(7, after, ["email", "phone", "nope"]);
      for (const record of page.results) {
        assert.ok("email" in record.properties && "phone" in record.properties);
        assert.ok(!("nope" in record.properties) && !("firstname" in record.properties));
        assert.ok(record.createdAt instanceof Date);
        paged.push(record.id);
      }
      after = page.paging?.next?.after;
    } while (after !== undefined);
    assert.deepEqual(paged, seeded(s.control.data.contacts));

    const refreshed = await oauth.tokensApi.create(
      "refresh_token",
      undefined,
      undefined,
      CLIENT_ID,
      CLIENT_SECRET,
      tokens.refreshToken,
    );
    assert.equal(refreshed.refreshToken, tokens.refreshToken);
    assert.notEqual(refreshed.accessToken, tokens.accessToken);
    assert.equal((await oauth.refreshTokensApi.get(tokens.refreshToken)).clientId, CLIENT_ID);
    await oauth.refreshTokensApi.archive(tokens.refreshToken);
    const dead = await oauth.tokensApi.create(
      "refresh_token",
      undefined,
      undefined,
      CLIENT_ID,
      CLIENT_SECRET,
      tokens.refreshToken,
    ).then(() => null, sdkError);
    assert.equal(dead?.code, 400);
    assert.equal(dead?.body.status, "BAD_REFRESH_TOKEN");
    // Deleting the refresh token leaves minted access tokens working.
    assert.equal((await client.crm.deals.basicApi.getPage(1)).results.length, 1);
  } finally {
    await s.close();
  }
});

Deno.test("the official SDK sees HubSpot's 429 and 401 answers as HubSpot sends them", async () => {
  const s = serveSandbox({ rateLimit: { max: 2, intervalMs: 10_000 } });
  try {
    const oauth = new Client({ basePath: s.base }).oauth;
    const page = await call(
      `${s.base}/oauth/authorize?${new URLSearchParams({
        client_id: CLIENT_ID,
        redirect_uri: REDIRECT,
        scope: SCOPES.join(" "),
      })}`,
    );
    const back = await postForm(`${s.base}${consentForm(page.text).action}`, {
      ...consentForm(page.text).fields,
      decision: "approve",
    });
    const code = new URL(back.headers.get("location") ?? "").searchParams.get("code") ?? "";
    const tokens = await oauth.tokensApi.create(
      "authorization_code",
      code,
      REDIRECT,
      CLIENT_ID,
      CLIENT_SECRET,
    );
    const client = new Client({ accessToken: tokens.accessToken, basePath: s.base });
    await client.crm.contacts.basicApi.getPage(1);
    await client.crm.contacts.basicApi.getPage(1);
    const limited = await client.crm.contacts.basicApi.getPage(1).then(() => null, sdkError);
    assert.equal(limited?.code, 429);
    assert.equal(limited?.body.policyName, "TEN_SECONDLY_ROLLING");
    assert.equal(limited?.headers["x-hubspot-ratelimit-remaining"], "0");

    s.control.resetRateLimit();
    await s.control.expireAccessTokens();
    const expired = await client.crm.deals.basicApi.getPage(1).then(() => null, sdkError);
    assert.equal(expired?.code, 401);
    assert.equal(expired?.body.category, "EXPIRED_AUTHENTICATION");
  } finally {
    await s.close();
  }
});
