import assert from "node:assert/strict";
import { PROVIDER_IDS } from "../src/providers/registry.ts";
import { ProviderCard, type ProviderCardModel } from "./dashboard.tsx";
import { markSrc } from "./provider_mark.tsx";

const CONNECTED: ProviderCardModel = {
  id: "hubspot",
  displayName: "HubSpot",
  description: "Contacts, companies and deals from your CRM.",
  status: "connected",
  accountName: "HubSpot account 62515",
  connectedAt: "2026-12-03T07:56:10.000Z",
  lastError: null,
  sandbox: true,
};

const render = (card: ProviderCardModel): string => String(<ProviderCard card={card} />);

Deno.test("a card shows its last sync only once the model has one", () => {
  for (const syncedAt of [undefined, null]) {
    assert.doesNotMatch(render({ ...CONNECTED, syncedAt }), /Last sync/);
  }
  const synced = render({ ...CONNECTED, syncedAt: "2026-12-03T08:10:00.000Z" });
  assert.match(
    synced,
    /<dt>Last sync<\/dt><dd><time datetime="2026-12-03T08:10:00.000Z">2026-12-03 08:10 UTC<\/time>/,
  );
});

Deno.test("a card's badge names its status in words", () => {
  const cases = [
    ["connected", "Connected"],
    ["reconnect_required", "Needs reconnect"],
    ["not_connected", "Not connected"],
  ] as const;
  for (const [status, words] of cases) {
    const html = render({ ...CONNECTED, status });
    assert.match(html, new RegExp(`class="status-badge" data-status="${status}">${words}</p>`));
  }
});

Deno.test("every provider's mark is a self-hosted SVG in static/", async () => {
  for (const id of PROVIDER_IDS) {
    const file = new URL(`..${markSrc(id)}`, import.meta.url);
    const svg = await Deno.readTextFile(file);
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 40 40">/);
    assert.doesNotMatch(svg, /<script|href=/, `${id}'s mark loads nothing and runs nothing`);
  }
});
