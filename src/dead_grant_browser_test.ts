/**
 * A card never says Connected after the provider has said the grant is dead: in Chromium, the
 * user uninstalls the app at HubSpot (its sandbox on a port of its own revokes the refresh token
 * and the access token expires), then presses Load items. The panel says why and offers
 * Reconnect (not a Retry that would fail the same way), and the card turns to Needs reconnect.
 */
import assert from "node:assert/strict";
import { createHubspotSandbox } from "./sandbox/hubspot/sandbox.ts";
import { createKvStore } from "./store/kv_store.ts";
import { chromiumAvailable, decideAndReturn, launchChromium, signIn } from "./testing/chromium.ts";
import { startProviderHub } from "./testing/provider_hub.ts";

const available = chromiumAvailable();

Deno.test({
  name: "in Chromium: a dead grant turns the card to Needs reconnect with a Reconnect button",
  ignore: !available,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const kv = await Deno.openKv(":memory:");
    const t = await startProviderHub({
      provider: "hubspot",
      store: createKvStore(kv),
      makeSandbox: createHubspotSandbox,
    });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await signIn(page, t.hub, "alice");
      const card = page.locator("#card-hubspot");
      await card.getByRole("button", { name: "Connect" }).click();
      await page.waitForURL(`${t.providerUrl}/**`);
      await decideAndReturn(page, "Approve");
      await card.getByText("Connected", { exact: true }).waitFor();

      await t.control.revokeRefreshTokens();
      await t.control.expireAccessTokens();
      await card.getByRole("link", { name: "Load items" }).click();

      const alert = page.getByRole("alert").filter({ hasText: "reconnect" });
      await alert.getByRole("button", { name: "Reconnect" }).waitFor();
      assert.equal(await alert.getByRole("link", { name: "Retry" }).count(), 0);
      await card.getByText("Needs reconnect", { exact: true }).waitFor();
      assert.equal(await card.getByText("Connected", { exact: true }).count(), 0);
      await card.getByRole("button", { name: "Reconnect" }).waitFor();
      assert.match(await card.innerText(), /reconnect/i);

      await card.getByRole("button", { name: "Reconnect" }).click();
      await page.waitForURL(`${t.providerUrl}/**`);
      await decideAndReturn(page, "Approve");
      await card.getByText("Connected", { exact: true }).waitFor();
    } finally {
      await browser.close();
      await t.close();
      kv.close();
    }
  },
});
