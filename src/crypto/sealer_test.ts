import assert from "node:assert/strict";
import { Sealer } from "./sealer.ts";

const key = (id: string, fill: number) => ({ id, key: new Uint8Array(32).fill(fill) });

Deno.test("a sealed value opens with the same associated data and hides the plaintext", async () => {
  const sealer = new Sealer([key("k1", 1)]);
  const sealed = await sealer.seal("secret-token-value", "record-a");
  assert.ok(!sealed.includes("secret-token-value"));
  assert.match(sealed, /^v1\.k1\./);
  assert.equal(await sealer.open(sealed, "record-a"), "secret-token-value");
});

Deno.test("every seal uses a fresh IV", async () => {
  const sealer = new Sealer([key("k1", 1)]);
  const a = await sealer.seal("same", "ad");
  const b = await sealer.seal("same", "ad");
  assert.notEqual(a, b);
});

Deno.test("a sealed value moved to another record or altered does not open", async () => {
  const sealer = new Sealer([key("k1", 1)]);
  const sealed = await sealer.seal("token", "record-a");
  await assert.rejects(sealer.open(sealed, "record-b"));
  const altered = sealed.slice(0, -2) + (sealed.endsWith("A") ? "BB" : "AA");
  await assert.rejects(sealer.open(altered, "record-a"));
});

Deno.test("rotation: the first key seals, older keys still open", async () => {
  const old = new Sealer([key("k1", 1)]);
  const sealedOld = await old.seal("token", "ad");
  const rotated = new Sealer([key("k2", 2), key("k1", 1)]);
  assert.equal(await rotated.open(sealedOld, "ad"), "token");
  assert.match(await rotated.seal("token", "ad"), /^v1\.k2\./);
  await assert.rejects(new Sealer([key("k2", 2)]).open(sealedOld, "ad"));
});
