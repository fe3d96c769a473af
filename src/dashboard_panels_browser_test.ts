/**
 * The dashboard's banners and items panels in a real Chromium: a banner says what the last
 * action did and goes with the next one; an items panel opens below the cards, scrolls inside
 * its own box under a sticky header, and closes.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { available, connect, signIn, withHub } from "./testing/dashboard_browser.ts";
import { PROVIDER_IDS } from "./providers/registry.ts";

const VIEWPORT = { width: 1280, height: 900 };

async function disconnect(page: Page, provider: string): Promise<void> {
  page.once("dialog", (dialog) => dialog.accept());
  await page.locator(`#card-${provider}`).getByRole("button", { name: "Disconnect" }).click();
  await page.locator(`#card-${provider}`).getByText("Not connected").waitFor();
}

async function notices(page: Page): Promise<string[]> {
  return (await page.locator(".notice").allTextContents()).map((t) => t.trim());
}

async function openItems(page: Page, provider: string) {
  await page.locator(`#card-${provider}`).getByRole("link", { name: "Load items" }).click();
  const panel = page.locator(`#items-${provider}`);
  await panel.locator("tbody tr:not(.more)").first().waitFor();
  return panel;
}

Deno.test({
  name:
    "banners say what was just connected, disconnected or cancelled and go with the next action",
  ignore: !available,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withHub(async (hub, browser) => {
      const context = await browser.newContext({ viewport: VIEWPORT });
      const page = await context.newPage();
      await signIn(page, hub);

      await connect(page, "hubspot", "Approve");
      assert.equal((await notices(page)).length, 1);
      assert.match((await notices(page))[0], /^Connected HubSpot as HubSpot account \d+\.$/);
      assert.equal(page.url(), `${hub.url}/`, "the address no longer names the banner");
      await page.reload();
      assert.deepEqual(await notices(page), [], "a reload does not repeat the banner");

      await connect(page, "airtable", "Approve");
      assert.match((await notices(page))[0], /^Connected Airtable/);
      await openItems(page, "airtable");
      assert.deepEqual(await notices(page), [], "loading items is the next action");

      await disconnect(page, "hubspot");
      assert.deepEqual(await notices(page), [
        "Disconnected HubSpot; the hub no longer holds its tokens.",
      ]);
      await disconnect(page, "airtable");
      assert.deepEqual(await notices(page), [
        "Disconnected Airtable; the hub no longer holds its tokens.",
      ]);
      assert.equal(await page.locator("#items-airtable table").count(), 0);

      await connect(page, "notion", "Deny");
      assert.deepEqual(await notices(page), [
        "Connecting Notion was cancelled; nothing was changed.",
      ]);
      assert.equal(await page.locator(".notice-connected").count(), 0);
      await context.close();
    }),
});

Deno.test({
  name:
    "an items panel opens below the cards, keeps them in sight, scrolls under a sticky header and closes",
  ignore: !available,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withHub(async (hub, browser) => {
      const context = await browser.newContext({ viewport: VIEWPORT });
      const page = await context.newPage();
      await signIn(page, hub);
      for (const provider of PROVIDER_IDS) {
        await connect(page, provider, "Approve");
      }
      const allCardsInSight = async (when: string) => {
        for (const provider of PROVIDER_IDS) {
          const box = (await page.locator(`#card-${provider}`).boundingBox())!;
          assert.ok(
            box.y >= 0 && box.y + box.height <= VIEWPORT.height,
            `${provider} card in sight ${when}`,
          );
        }
      };
      const panel = await openItems(page, "hubspot");
      await allCardsInSight("once the items are open");
      const rows = panel.locator("tbody tr:not(.more)");
      await panel.getByRole("link", { name: "Load more" }).click();
      await rows.nth(100).waitFor();
      // Clicking Load more scrolled the page to it; at the top, every card is still in sight.
      await page.evaluate("window.scrollTo(0, 0)");
      await allCardsInSight("after Load more");
      const cardsBottom = (await page.locator(".cards").boundingBox())!;
      const panelBox = (await panel.boundingBox())!;
      assert.ok(panelBox.y >= cardsBottom.y + cardsBottom.height, "the panel is below the cards");

      const scroller = panel.locator(".table-scroll");
      const size = await scroller.evaluate((el) => ({
        client: el.clientHeight,
        scroll: el.scrollHeight,
      }));
      assert.ok(size.client <= VIEWPORT.height * 0.65 + 1, `table box ${size.client}px high`);
      assert.ok(size.scroll > size.client * 2, "the rows scroll inside the box");
      const pageHeight = await page.locator("html").evaluate((el) => el.scrollHeight);
      assert.ok(pageHeight < 2 * VIEWPORT.height, `page ${pageHeight}px high`);

      await scroller.evaluate((el) => el.scrollTo(0, 3000));
      const header = (await panel.locator("thead th").first().boundingBox())!;
      const box = (await scroller.boundingBox())!;
      assert.ok(Math.abs(header.y - box.y) <= 2, "the header stays at the top of the box");

      await panel.getByRole("link", { name: "Close HubSpot items" }).click();
      assert.equal(await panel.evaluate((el) => el.childElementCount), 0);
      const focused = (await page.locator(":focus").textContent())?.trim();
      assert.equal(focused, "Load items");
      await openItems(page, "hubspot");

      await page.setViewportSize({ width: 390, height: 844 });
      await page.locator("#items-hubspot").getByRole("link", { name: "Close HubSpot items" })
        .click();
      await page.evaluate("window.scrollTo(0, 0)");
      const notion = await openItems(page, "notion");
      const notionBox = (await notion.boundingBox())!;
      assert.ok(notionBox.y < 844 / 2, "on a phone the opened items are brought into view");
      await context.close();
    }),
});
