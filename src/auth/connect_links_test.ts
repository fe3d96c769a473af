import assert from "node:assert/strict";
import { createMemoryStore } from "../store/memory_store.ts";
import { keys } from "../store/keys.ts";
import { CONNECT_LINK_TTL_MS, mintConnectLink, redeemConnectLink } from "./connect_links.ts";

const owner = { userId: "ada", orgId: "acme" };

Deno.test("a connect link signs in its owner once; a second use finds nothing", async () => {
  const store = createMemoryStore();
  const link = await mintConnectLink(store, owner, 1_000);
  assert.match(link.token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(link.expiresAt, 1_000 + CONNECT_LINK_TTL_MS);
  assert.deepEqual(await redeemConnectLink(store, link.token), owner);
  assert.equal(await redeemConnectLink(store, link.token), null);
});

Deno.test("a connect link stops working after its ten minutes", async () => {
  let now = 0;
  const store = createMemoryStore(() => now);
  const link = await mintConnectLink(store, owner, now);
  now += CONNECT_LINK_TTL_MS;
  assert.equal(await redeemConnectLink(store, link.token), null);
});

Deno.test("a token of another shape or an unreadable record signs nobody in", async () => {
  const store = createMemoryStore();
  const token = "x".repeat(30);
  await store.set(keys.connectLink(token), JSON.stringify({ userId: "ada" }));
  assert.equal(await redeemConnectLink(store, token), null);
  await store.set(keys.connectLink("short"), JSON.stringify(owner));
  assert.equal(await redeemConnectLink(store, "short"), null);
  assert.equal(await store.get(keys.connectLink("short")), JSON.stringify(owner));
});
