/**
 * The dashboard in a real Chromium, driven by playwright-core, against the hub and its sandbox
 * providers over real HTTP: sign in, connect (consent page, approve), load items, filter, page,
 * export, disconnect; the deny path; and the basic navigation with JavaScript turned off.
 * Takes screenshots on the way; `deno task screenshots` keeps them in static/screenshots/ for the
 * README, a plain test run writes them to a temporary directory so the checkout stays clean.
 */
import assert from "node:assert/strict";
import {
  available,
  connect,
  SCREENSHOTS,
  signIn,
  until,
  withHub,
} from "./testing/dashboard_browser.ts";
import { PROVIDER_IDS, type ProviderId, PROVIDERS } from "./providers/registry.ts";

/** What each provider's sandbox data is filtered by. */
const FILTERS = {
  hubspot: { filterText: "renewal", filterType: "deal" },
  airtable: { filterText: "a", filterType: "base" },
  notion: { filterText: "a", filterType: "page" },
} satisfies Record<ProviderId, { filterText: string; filterType: string }>;

for (
  const p of PROVIDER_IDS.map((id) => ({ id, name: PROVIDERS[id].displayName, ...FILTERS[id] }))
) {
  Deno.test({
    name: `${p.name} in Chromium: connect, load, filter, page, export, disconnect`,
    ignore: !available,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: () =>
      withHub(async (hub, browser) => {
        await Deno.mkdir(SCREENSHOTS, { recursive: true });
        const context = await browser.newContext({
          viewport: { width: 1280, height: 900 },
          acceptDownloads: true,
        });
        const page = await context.newPage();
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(String(e)));
        page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
        page.on("response", (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
        await signIn(page, hub);
        const card = page.locator(`#card-${p.id}`);
        await assert.doesNotReject(card.getByText("Not connected").waitFor());

        await connect(page, p.id, "Approve", `consent-${p.id}.png`);
        await page.locator(".notice").getByText(`Connected ${p.name}`).waitFor();
        await card.getByText("Connected", { exact: true }).waitFor();

        await card.getByRole("link", { name: "Load items" }).click();
        const panel = page.locator(`#items-${p.id}`);
        const rows = panel.locator("tbody tr:not(.more)");
        await rows.first().waitFor();
        const firstPage = await rows.count();
        assert.ok(firstPage > 0 && firstPage <= 100, `first page had ${firstPage} rows`);
        await panel.locator(".summary").getByText(/loaded/).waitFor();

        await panel.getByRole("link", { name: "Load more" }).click();
        await until(async () => (await rows.count()) > firstPage, "more rows after Load more");
        const loaded = await rows.count();
        assert.ok(loaded > firstPage);

        const download = page.waitForEvent("download");
        await panel.getByRole("link", { name: "CSV" }).click();
        const csv = await Deno.readTextFile(await (await download).path());
        const csvLines = csv.trim().split("\r\n");
        assert.equal(csvLines[0].split(",")[0], "id");
        assert.equal(csvLines.length - 1, loaded);
        const jsonDownload = page.waitForEvent("download");
        await panel.getByRole("link", { name: "JSON" }).click();
        const exported = JSON.parse(await Deno.readTextFile(await (await jsonDownload).path()));
        assert.equal(exported.length, loaded);

        await page.setViewportSize({ width: 1280, height: 900 });
        // Clicking Load more scrolled the page; the picture shows the cards above the items.
        await page.evaluate("window.scrollTo(0, 0)");
        await page.screenshot({ path: `${SCREENSHOTS}dashboard-${p.id}.png`, fullPage: false });

        // Each filter change is answered before the next step, so that no listing is still in
        // flight (and answers 409 "not connected") when the card is disconnected below.
        const filtered = (name: string, value: string) =>
          page.waitForResponse((r) =>
            new URL(r.url()).pathname === `/ui/${p.id}/items` &&
            new URL(r.url()).searchParams.get(name) === value
          );
        const byName = filtered("q", p.filterText);
        await panel.getByLabel("Filter by name").fill(p.filterText);
        await byName;
        const names = panel.locator("tbody tr:not(.more) td:first-child");
        await until(async () => {
          const all = await names.allTextContents();
          return all.length > 0 && all.every((n) => n.toLowerCase().includes(p.filterText));
        }, "only matching names after typing a filter");
        const byType = filtered("type", p.filterType);
        await panel.getByLabel("Type").selectOption(p.filterType);
        await byType;
        const types = panel.locator("tbody tr:not(.more) td:nth-child(2)");
        await until(async () => {
          const all = await types.allTextContents();
          return all.length > 0 && all.every((t) => t === p.filterType);
        }, "only the chosen type after choosing it");

        await page.setViewportSize({ width: 390, height: 844 });
        // On a phone the cards fill the first screen; the picture shows the filtered items.
        await panel.evaluate((el) => el.scrollIntoView({ block: "start" }));
        await page.screenshot({ path: `${SCREENSHOTS}dashboard-${p.id}-phone.png` });
        await page.setViewportSize({ width: 1280, height: 900 });

        page.once("dialog", (dialog) => dialog.accept());
        await card.getByRole("button", { name: "Disconnect" }).click();
        await page.locator(`#card-${p.id}`).getByText("Not connected").waitFor();
        await page.locator(".notice").getByText(`Disconnected ${p.name}`).waitFor();
        assert.equal(await panel.locator("table").count(), 0, "the items close on disconnect");

        await connect(page, p.id, "Deny");
        await page.getByText(`Connecting ${p.name} was cancelled`).waitFor();
        await page.locator(`#card-${p.id}`).getByText("Not connected").waitFor();
        assert.deepEqual(errors, []);
        await context.close();
      }),
  });
}

Deno.test({
  name: "sign in, connect and status work with JavaScript turned off",
  ignore: !available,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withHub(async (hub, browser) => {
      const context = await browser.newContext({ javaScriptEnabled: false });
      const page = await context.newPage();
      await signIn(page, hub, "nojs");
      await connect(page, "hubspot", "Approve");
      const card = page.locator("#card-hubspot");
      await card.getByText("Connected", { exact: true }).waitFor();
      await card.getByRole("link", { name: "Load items" }).click();
      await page.waitForURL(/\/items\/hubspot/);
      assert.ok((await page.locator("tbody tr").count()) > 1);
      await page.goto(hub.url);
      await page.locator("#card-hubspot").getByRole("button", { name: "Disconnect" }).click();
      await page.getByRole("heading", { name: "Disconnect HubSpot?" }).waitFor();
      await page.getByRole("button", { name: "Disconnect" }).click();
      await page.locator("#card-hubspot").getByText("Not connected").waitFor();
      await context.close();
    }),
});
