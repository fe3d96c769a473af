/**
 * What a developer does with `deno task dev`, in a real Chromium against a real hub process:
 * sign in, connect the HubSpot sandbox, restart the hub (as saving a file does), then reload and
 * load items. The session and the connection both outlive the restart.
 */
import assert from "node:assert/strict";
import { chromiumAvailable, decideAndReturn, launchChromium, signIn } from "./testing/chromium.ts";
import { startHubProcess } from "./testing/hub_process.ts";
import { freePort } from "./testing/local_server.ts";

const available = chromiumAvailable();

Deno.test({
  name: "in Chromium: a sandbox connection still loads items after the hub restarts",
  ignore: !available,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "hub-restart-browser-" });
    const port = freePort();
    const env = { APP_ENV: "development" };
    let hub = await startHubProcess(env, { dir, port });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const failures: string[] = [];
      page.on("pageerror", (e) => failures.push(String(e)));
      page.on("response", (r) => r.status() >= 400 && failures.push(`${r.status()} ${r.url()}`));
      await signIn(page, hub, "grace");
      const card = page.locator("#card-hubspot");
      await card.getByRole("button", { name: "Connect" }).click();
      await page.waitForURL(/\/sandbox\//);
      await decideAndReturn(page, "Approve");

      await hub.close();
      hub = await startHubProcess(env, { dir, port });

      await page.goto(`${hub.url}/`);
      assert.equal(new URL(page.url()).pathname, "/", "still signed in after the restart");
      await card.getByText("Connected", { exact: true }).waitFor();
      await card.getByRole("link", { name: "Load items" }).click();
      await page.locator("tbody tr").first().waitFor();
      assert.ok((await page.locator("tbody tr").count()) > 0);
      assert.deepEqual(failures, []);
    } finally {
      await browser.close();
      await hub.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
