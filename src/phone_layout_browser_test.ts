/**
 * Every page on a 390 px phone in a real Chromium: nothing scrolls sideways (measured, not
 * judged by eye), names wrap at word boundaries, the items keep their links in view, and the
 * header shortens a long user id with an ellipsis. Screenshots of each page at 390 and 1280 px go
 * to pages/ under the screenshots directory (with `deno task screenshots`: static/screenshots/
 * pages/, which git ignores: they are for looking at, the README shows the dashboard test's).
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { available, SCREENSHOTS, signIn, withHub } from "./testing/dashboard_browser.ts";
import { decideAndReturn } from "./testing/chromium.ts";
import { PROVIDER_IDS } from "./providers/registry.ts";

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
/** As long as the sign-in form takes: the header must still show Sign out. */
const LONG_USER = "alexandra.konstantinopoulou-vanderberg.operations-team@" +
  "integrations-example-organisation.com";

/** Fails when the page is wider than the phone, naming the elements that stick out. */
async function assertNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const html = page.locator("html");
  const width = await html.evaluate((el) => el.scrollWidth);
  if (width <= PHONE.width) return;
  const culprits = await html.evaluate((root, limit) =>
    [...root.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > limit + 0.5)
      .slice(0, 5)
      .map((el) => `<${el.tagName.toLowerCase()} class="${el.className}">`), PHONE.width);
  assert.fail(`${what} is ${width}px wide on a ${PHONE.width}px phone: ${culprits.join(", ")}`);
}

/**
 * Line breaks inside a word of a name, found from the rendered glyphs' positions. A word too
 * long for a whole line (over 30 characters) may break; any other break must follow a space or
 * a hyphen.
 */
async function midWordBreaks(page: Page, selector: string): Promise<string[]> {
  return await page.locator(selector).evaluateAll((cells) => {
    const found: string[] = [];
    for (const cell of cells.slice(0, 60)) {
      const text = cell.firstChild;
      if (text === null || text.nodeType !== 3) continue;
      const value = text.textContent ?? "";
      let previousTop: number | null = null;
      for (let i = 0; i < value.length; i++) {
        const range = cell.ownerDocument.createRange();
        range.setStart(text, i);
        range.setEnd(text, i + 1);
        const rect = range.getClientRects()[0];
        if (rect === undefined) continue;
        if (previousTop !== null && rect.top > previousTop + 2 && !/[\s\-–—]/.test(value[i - 1])) {
          const start = value.slice(0, i).search(/\S*$/);
          const end = i + value.slice(i).search(/\s|$/);
          if (end - start <= 30) found.push(`${value.slice(start, i)}|${value.slice(i, end)}`);
        }
        previousTop = rect.top;
      }
    }
    return found;
  });
}

const PAGES = `${SCREENSHOTS}pages/`;

async function shoot(page: Page, name: string): Promise<void> {
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: `${PAGES}${name}.png` });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: `${PAGES}${name}-phone.png` });
}

/** Checks the page at phone width, after taking its two screenshots. */
async function check(page: Page, name: string): Promise<void> {
  await shoot(page, name);
  await assertNoSidewaysScroll(page, name);
}

Deno.test({
  name: "on a 390 px phone no page scrolls sideways, names wrap at words and links stay in view",
  ignore: !available,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withHub(async (hub, browser) => {
      await Deno.mkdir(PAGES, { recursive: true });
      const context = await browser.newContext({ viewport: PHONE });
      const page = await context.newPage();
      await page.goto(`${hub.url}/login`);
      await check(page, "login");

      await signIn(page, hub, LONG_USER);
      await check(page, "dashboard-empty");
      const who = page.locator(".who span");
      assert.ok(
        await who.evaluate((el) => el.scrollWidth > el.clientWidth),
        "the long user id is cut short",
      );
      assert.equal(
        await who.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).textOverflow),
        "ellipsis",
      );
      const signOut = (await page.getByRole("button", { name: "Sign out" }).boundingBox())!;
      assert.ok(signOut.x + signOut.width <= PHONE.width, "Sign out stays on the screen");

      for (const provider of PROVIDER_IDS) {
        const card = page.locator(`#card-${provider}`);
        await card.getByRole("button", { name: "Connect" }).click();
        await page.waitForURL(/\/sandbox\//);
        await check(page, `consent-${provider}`);
        await decideAndReturn(page, "Approve");
      }
      await check(page, "dashboard-connected");

      for (const provider of PROVIDER_IDS) {
        await page.locator(`#card-${provider}`).getByRole("link", { name: "Load items" }).click();
        const panel = page.locator(`#items-${provider}`);
        await panel.locator("tbody tr:not(.more)").first().waitFor();
        await panel.scrollIntoViewIfNeeded();
        await check(page, `dashboard-${provider}`);
        const links = panel.locator("tbody tr:not(.more) a");
        assert.ok((await links.count()) > 0, `${provider} items have links`);
        for (let i = 0; i < 5; i++) {
          const link = (await links.nth(i).boundingBox())!;
          assert.ok(link.x >= 0 && link.x + link.width <= PHONE.width, `${provider} link in view`);
        }
        assert.deepEqual(
          await midWordBreaks(page, `#items-${provider} tbody tr:not(.more) td:first-child`),
          [],
          `${provider} names break only between words`,
        );
        await panel.getByRole("link", { name: `Close` }).click();
      }

      for (const provider of PROVIDER_IDS) {
        await page.goto(`${hub.url}/items/${provider}`);
        await page.locator("tbody tr").first().waitFor();
        await check(page, `items-page-${provider}`);
      }
      await page.goto(`${hub.url}/ui/hubspot/disconnect`);
      await check(page, "disconnect-confirm");
      await page.goto(`${hub.url}/integrations/hubspot/oauth2callback?code=x&state=made-up`);
      await check(page, "callback-refused");
      await page.goto(`${hub.url}/no-such-page`);
      await check(page, "not-found");
      await context.close();
    }),
});
