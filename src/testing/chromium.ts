/** Debian's Chromium, driven by playwright-core, for the browser tests. */
import { type Browser, chromium } from "playwright-core";
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
