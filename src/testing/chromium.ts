/** Debian's Chromium, driven by playwright-core, for the browser tests. */
import assert from "node:assert/strict";
import { type Browser, chromium, type Page } from "playwright-core";
import { inCi } from "./redis_harness.ts";

export const CHROMIUM = "/usr/bin/chromium";

/**
 * True when Chromium is installed. Without it the browser tests are skipped, loudly, except
 * under CI, where that is a failure (CI installs it).
 */
export function chromiumAvailable(): boolean {
  try {
    if (Deno.statSync(CHROMIUM).isFile) return true;
  } catch {
    // Absent: said below.
  }
  const message = `Chromium is not installed at ${CHROMIUM}: the browser tests cannot run ` +
    "(install it: apt-get install chromium).";
  if (inCi()) throw new Error(message);
  console.error(`\n!!! SKIPPING BROWSER TESTS: ${message}\n`);
  return false;
}

/** Headless, and with the background networking this machine's closed network refuses off. */
export async function launchChromium(): Promise<Browser> {
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

/** Signs in on the hub's sign-in page, as a user would, and lands on the dashboard. */
export async function signIn(page: Page, hub: { url: string }, user = "alice", org = "acme") {
  await page.goto(hub.url);
  assert.ok(page.url().endsWith("/login"));
  await page.getByLabel("User").fill(user);
  await page.getByLabel("Organisation").fill(org);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${hub.url}/`);
}

/**
 * Presses a consent page's button and waits until the dashboard it redirects back to has
 * loaded. Waiting for the URL would race: the dashboard's script clears ?connected= at once.
 */
export async function decideAndReturn(page: Page, decision: "Approve" | "Deny"): Promise<void> {
  const landed = page.waitForResponse((r) =>
    /\/\?(connected|cancelled)=/.test(r.url()) && r.request().isNavigationRequest()
  );
  await page.getByRole("button", { name: decision }).click();
  await landed;
  await page.waitForLoadState("load");
}
