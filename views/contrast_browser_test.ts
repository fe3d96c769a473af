/**
 * The stylesheet's promises, measured in Chromium on the rendered pages: every piece of text meets
 * WCAG AA contrast against what is really behind it (4.5:1, large text 3:1), and every element
 * that Tab reaches shows a focus outline of at least 2 px that stands out 3:1 from its background.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { available, connect, signIn, withHub } from "../src/testing/dashboard_browser.ts";
import { decideAndReturn } from "../src/testing/chromium.ts";

/** Text below AA on the page, as "text: ratio (fg on bg)", found from computed styles. */
async function lowContrastText(page: Page): Promise<string[]> {
  return await page.locator("html").evaluate((root) => {
    const win = root.ownerDocument.defaultView!;
    const getComputedStyle = win.getComputedStyle.bind(win);
    type Rgba = [number, number, number, number];
    const parse = (css: string): Rgba => {
      const n = css.match(/[\d.]+/g)?.map(Number) ?? [0, 0, 0, 0];
      return [n[0], n[1], n[2], n.length > 3 ? n[3] : 1];
    };
    const over = (top: Rgba, below: Rgba): Rgba => {
      const a = top[3];
      return [0, 1, 2].map((i) => top[i] * a + below[i] * (1 - a)).concat(1) as Rgba;
    };
    // What shows behind an element: its own and its ancestors' backgrounds, top one last.
    const backdrop = (el: typeof root.parentElement): Rgba => {
      const layers: Rgba[] = [];
      for (let at = el; at !== null; at = at.parentElement) {
        const bg = parse(getComputedStyle(at).backgroundColor);
        if (bg[3] > 0) layers.push(bg);
        if (bg[3] === 1) break;
      }
      return layers.reduceRight((below, top) => over(top, below), [255, 255, 255, 1] as Rgba);
    };
    const luminance = (c: Rgba) => {
      const [r, g, b] = c.slice(0, 3).map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const ratio = (a: Rgba, b: Rgba) => {
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return (hi + 0.05) / (lo + 0.05);
    };
    const failures: string[] = [];
    for (const el of root.querySelectorAll("body *")) {
      const text = [...el.childNodes]
        .filter((n) => n.nodeType === 3)
        .map((n) => n.textContent ?? "")
        .join("")
        .trim();
      const box = el.getBoundingClientRect();
      if (text === "" || box.width <= 1 || box.height <= 1) continue;
      const style = getComputedStyle(el);
      if (style.visibility === "hidden" || Number(style.opacity) === 0) continue;
      const bg = backdrop(el);
      const fg = over(parse(style.color), bg);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      const found = ratio(fg, bg);
      if (found < (large ? 3 : 4.5)) {
        failures.push(`"${text.slice(0, 40)}": ${found.toFixed(2)} (${style.color} on ${bg})`);
      }
    }
    return failures;
  });
}

/** Tabs through the page; names each stop whose focus outline is missing, thin or faint. */
async function weakFocus(page: Page, stops: number): Promise<string[]> {
  const weak: string[] = [];
  for (let i = 0; i < stops; i++) {
    await page.keyboard.press("Tab");
    const problem = await page.locator("html").evaluate((root) => {
      const win = root.ownerDocument.defaultView!;
      const getComputedStyle = win.getComputedStyle.bind(win);
      const el = root.ownerDocument.activeElement;
      if (el === null || el === root.ownerDocument.body) return null;
      const style = getComputedStyle(el);
      const name = `<${el.tagName.toLowerCase()}> "${(el.textContent ?? "").trim().slice(0, 30)}"`;
      if (style.outlineStyle === "none" || parseFloat(style.outlineWidth) < 2) {
        return `${name}: outline ${style.outlineStyle} ${style.outlineWidth}`;
      }
      const rgb = (css: string) => css.match(/[\d.]+/g)!.slice(0, 3).map(Number);
      const luminance = (c: number[]) => {
        const [r, g, b] = c.map((v) => {
          const s = v / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      let behind = el.parentElement;
      while (
        behind !== null &&
        /rgba\(.*, 0\)|transparent/.test(getComputedStyle(behind).backgroundColor)
      ) {
        behind = behind.parentElement;
      }
      const bg = behind ? rgb(getComputedStyle(behind).backgroundColor) : [255, 255, 255];
      const [hi, lo] = [luminance(rgb(style.outlineColor)), luminance(bg)].sort((x, y) => y - x);
      const contrast = (hi + 0.05) / (lo + 0.05);
      return contrast < 3 ? `${name}: outline contrast ${contrast.toFixed(2)}` : null;
    });
    if (problem !== null) weak.push(problem);
  }
  return weak;
}

Deno.test({
  name: "every page's text meets WCAG AA contrast and every Tab stop shows a clear focus outline",
  ignore: !available,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withHub(async (hub, browser) => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const checked: Record<string, string[]> = {};
      await page.goto(`${hub.url}/login`);
      checked.login = await lowContrastText(page);
      await signIn(page, hub);
      checked["dashboard, nothing connected"] = await lowContrastText(page);
      await page.locator("#card-hubspot").getByRole("button", { name: "Connect" }).click();
      await page.waitForURL(/\/sandbox\//);
      checked["consent page"] = await lowContrastText(page);
      await decideAndReturn(page, "Approve");
      await connect(page, "notion", "Deny");
      checked["dashboard, cancelled banner"] = await lowContrastText(page);
      await page.locator("#card-hubspot").getByRole("link", { name: "Load items" }).click();
      await page.locator("#items-hubspot tbody tr").first().waitFor();
      checked["dashboard, items open"] = await lowContrastText(page);
      await page.goto(`${hub.url}/ui/hubspot/disconnect`);
      checked["disconnect confirmation"] = await lowContrastText(page);
      await page.goto(`${hub.url}/integrations/hubspot/oauth2callback?code=x&state=made-up`);
      checked["callback refused"] = await lowContrastText(page);
      for (const [what, failures] of Object.entries(checked)) {
        assert.deepEqual(failures, [], `low contrast on ${what}`);
      }

      await page.goto(hub.url);
      await page.locator("#card-hubspot").getByRole("link", { name: "Load items" }).click();
      await page.locator("#items-hubspot tbody tr").first().waitFor();
      await page.locator("body").click({ position: { x: 1, y: 1 } });
      assert.deepEqual(await weakFocus(page, 30), []);
    }),
});
