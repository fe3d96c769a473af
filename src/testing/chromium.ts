/**
 * Real Chromium for the browser tests, driven by playwright-core against a hub served over real
 * HTTP with its sandboxes: launching, signing in, connecting through a consent page, and where
 * screenshots go (`deno task screenshots` keeps them in static/screenshots/ for the README; a
 * plain run writes them to a temporary directory so the checkout stays clean).
 */
import assert from "node:assert/strict";
import { type Browser, chromium, type Page } from "playwright-core";
import { createKvStore } from "../store/kv_store.ts";
import { inCi } from "./redis_harness.ts";
import { type RunningHub, startHub } from "./hub.ts";

const CHROMIUM = "/usr/bin/chromium";
const SAVING_SCREENSHOTS = Deno.env.get("SAVE_SCREENSHOTS") === "1";
export const SCREENSHOTS = SAVING_SCREENSHOTS
  ? new URL("../../static/screenshots/", import.meta.url).pathname
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

export const available = chromiumInstalled();
if (!available) {
  const message = `Chromium is not installed at ${CHROMIUM}: the browser tests cannot run ` +
    "(install it: apt-get install chromium).";
  if (inCi()) throw new Error(message);
  console.error(`\n!!! SKIPPING BROWSER TESTS: ${message}\n`);
}

export async function launch(): Promise<Browser> {
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

export async function withHub(fn: (hub: RunningHub, browser: Browser) => Promise<void>) {
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
export async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function signIn(page: Page, hub: RunningHub, user = "alice") {
  await page.goto(hub.url);
  assert.ok(page.url().endsWith("/login"));
  await page.getByLabel("User").fill(user);
  await page.getByLabel("Organisation").fill("acme");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${hub.url}/`);
}

export async function connect(
  page: Page,
  provider: string,
  decision: "Approve" | "Deny",
  shot?: string,
) {
  const card = page.locator(`#card-${provider}`);
  await card.getByRole("button", { name: /^(Connect|Reconnect)$/ }).click();
  await page.waitForURL(/\/sandbox\//);
  if (shot) await page.screenshot({ path: `${SCREENSHOTS}${shot}`, fullPage: true });
  await page.getByRole("button", { name: decision }).click();
  await page.waitForURL(/\/\?(connected|cancelled)=/);
}
