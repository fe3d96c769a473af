/**
 * The dashboard's browser tests in Chromium against a hub served over real HTTP with its
 * sandboxes: a hub and a browser per test, signing in, connecting through a consent page, and where
 * screenshots go (`deno task screenshots` keeps them in static/screenshots/ for the README; a
 * plain run writes them to a temporary directory so the checkout stays clean).
 */
import type { Browser, Page } from "playwright-core";
import { createKvStore } from "../store/kv_store.ts";
import { chromiumAvailable, decideAndReturn, launchChromium } from "./chromium.ts";
import { type RunningHub, startHub } from "./hub.ts";

const SAVING_SCREENSHOTS = Deno.env.get("SAVE_SCREENSHOTS") === "1";
export const SCREENSHOTS = SAVING_SCREENSHOTS
  ? new URL("../../static/screenshots/", import.meta.url).pathname
  : `${Deno.makeTempDirSync({ prefix: "hub-screenshots-" })}/`;
if (!SAVING_SCREENSHOTS) {
  globalThis.addEventListener("unload", () => Deno.removeSync(SCREENSHOTS, { recursive: true }));
}

export const available = chromiumAvailable();

export async function withHub(fn: (hub: RunningHub, browser: Browser) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  const hub = startHub({ store: createKvStore(kv) });
  const browser = await launchChromium();
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

export { signIn } from "./chromium.ts";

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
  await decideAndReturn(page, decision);
}
