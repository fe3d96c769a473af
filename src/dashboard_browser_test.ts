/**
 * The dashboard in a real Chromium, driven by playwright-core, against the hub and its sandbox
 * providers over real HTTP: sign in, connect (consent page, approve), load items, filter, page,
 * export, disconnect; the deny path; and the basic navigation with JavaScript turned off.
 * Takes screenshots on the way; `deno task screenshots` keeps them in static/screenshots/ for the
 * README, a plain test run writes them to a temporary directory so the checkout stays clean.
 */
import assert from "node:assert/strict";
import { type Browser, chromium, type Page } from "playwright-core";
import { createKvStore } from "./store/kv_store.ts";
import { inCi } from "./testing/redis_harness.ts";
import { type RunningHub, startHub } from "./testing/hub.ts";

const CHROMIUM = "/usr/bin/chromium";
const SAVING_SCREENSHOTS = Deno.env.get("SAVE_SCREENSHOTS") === "1";
const SCREENSHOTS = SAVING_SCREENSHOTS
  ? new URL("../static/screenshots/", import.meta.url).pathname
  : `${Deno.makeTempDirSync({ prefix: "hub-screenshots-" })}/`;
if (!SAVING_SCREENSHOTS) {
  globalThis.addEventListener("unload", () => Deno.removeSync(SCREENSHOTS, { recursive: true }));
}

function chromiumInstalled(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

const available = chromiumInstalled();
if (!available) {
  const message = `Chromium is not installed at ${CHROMIUM}: the browser tests cannot run ` +
    "(install it: apt-get install chromium).";
  if (inCi()) throw new Error(message);
  console.error(`\n!!! SKIPPING BROWSER TESTS: ${message}\n`);
}

async function launch(): Promise<Browser> {
  return await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

async function withHub(fn: (hub: RunningHub, browser: Browser) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  const hub = startHub({ store: createKvStore(kv) });
  const browser = await launch();
  try {
    await fn(hub, browser);
  } finally {
    await browser.close();
    await hub.close();
    kv.close();
  }
}

/** Polls a condition the page reaches asynchronously (htmx swaps). */
async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function signIn(page: Page, hub: RunningHub, user = "alice") {
  await page.goto(hub.url);
  assert.ok(page.url().endsWith("/login"));
  await page.getByLabel("User").fill(user);
  await page.getByLabel("Organisation").fill("acme");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${hub.url}/`);
}

async function connect(page: Page, provider: string, decision: "Approve" | "Deny", shot?: string) {
  const card = page.locator(`#card-${provider}`);
  await card.getByRole("button", { name: /^(Connect|Reconnect)$/ }).click();
  await page.waitForURL(/\/sandbox\//);
  if (shot) await page.screenshot({ path: `${SCREENSHOTS}${shot}`, fullPage: true });
  await page.getByRole("button", { name: decision }).click();
  await page.waitForURL(/\/\?(connected|cancelled)=/);
}

const PROVIDERS = [
  { id: "hubspot", name: "HubSpot", filterText: "renewal", filterType: "deal" },
  { id: "airtable", name: "Airtable", filterText: "a", filterType: "base" },
  { id: "notion", name: "Notion", filterText: "a", filterType: "page" },
];

for (const p of PROVIDERS) {
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
        await page.getByText(`${p.name} is connected.`).waitFor();
        await card.getByText("Connected", { exact: true }).waitFor();

        await card.getByRole("link", { name: "Load items" }).click();
        const rows = card.locator("tbody tr:not(.more)");
        await rows.first().waitFor();
        const firstPage = await rows.count();
        assert.ok(firstPage > 0 && firstPage <= 100, `first page had ${firstPage} rows`);
        await card.locator(".summary").getByText(/loaded/).waitFor();

        await card.getByRole("link", { name: "Load more" }).click();
        await until(async () => (await rows.count()) > firstPage, "more rows after Load more");
        const loaded = await rows.count();
        assert.ok(loaded > firstPage);

        const download = page.waitForEvent("download");
        await card.getByRole("link", { name: "CSV" }).click();
        const csv = await Deno.readTextFile(await (await download).path());
        const csvLines = csv.trim().split("\r\n");
        assert.equal(csvLines[0].split(",")[0], "id");
        assert.equal(csvLines.length - 1, loaded);
        const jsonDownload = page.waitForEvent("download");
        await card.getByRole("link", { name: "JSON" }).click();
        const exported = JSON.parse(await Deno.readTextFile(await (await jsonDownload).path()));
        assert.equal(exported.length, loaded);

        await page.setViewportSize({ width: 1280, height: 900 });
        await page.screenshot({ path: `${SCREENSHOTS}dashboard-${p.id}.png`, fullPage: false });

        // Each filter change is answered before the next step, so that no listing is still in
        // flight (and answers 409 "not connected") when the card is disconnected below.
        const filtered = (name: string, value: string) =>
          page.waitForResponse((r) =>
            new URL(r.url()).pathname === `/ui/${p.id}/items` &&
            new URL(r.url()).searchParams.get(name) === value
          );
        const byName = filtered("q", p.filterText);
        await card.getByLabel("Filter by name").fill(p.filterText);
        await byName;
        const names = card.locator("tbody tr:not(.more) td:first-child");
        await until(async () => {
          const all = await names.allTextContents();
          return all.length > 0 && all.every((n) => n.toLowerCase().includes(p.filterText));
        }, "only matching names after typing a filter");
        const byType = filtered("type", p.filterType);
        await card.getByLabel("Type").selectOption(p.filterType);
        await byType;
        const types = card.locator("tbody tr:not(.more) td:nth-child(2)");
        await until(async () => {
          const all = await types.allTextContents();
          return all.length > 0 && all.every((t) => t === p.filterType);
        }, "only the chosen type after choosing it");

        await page.setViewportSize({ width: 390, height: 844 });
        await page.screenshot({ path: `${SCREENSHOTS}dashboard-${p.id}-phone.png` });
        await page.setViewportSize({ width: 1280, height: 900 });

        page.once("dialog", (dialog) => dialog.accept());
        await card.getByRole("button", { name: "Disconnect" }).click();
        await page.locator(`#card-${p.id}`).getByText("Not connected").waitFor();

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
