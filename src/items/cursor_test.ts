import assert from "node:assert/strict";
import { InvalidRequestError } from "../errors.ts";
import { createKvStore } from "../store/kv_store.ts";
import { decodeCursor, encodeCursor, issueCursor, resolveCursor } from "./cursor.ts";

Deno.test("a cursor round-trips its chain positions, unicode included", () => {
  const positions = [{ chain: "contacts", cursor: "NTI1Cg%3D%3D" }, {
    chain: "déals",
    cursor: null,
  }];
  const cursor = encodeCursor("hubspot", positions);
  assert.match(cursor, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(decodeCursor("hubspot", cursor), positions);
});

Deno.test("a cursor for another provider or a forged one is a 400", () => {
  const cursor = encodeCursor("hubspot", [{ chain: "contacts", cursor: "x" }]);
  assert.throws(() => decodeCursor("notion", cursor), InvalidRequestError);
  for (const bad of ["", "!!!", "e30", btoa('{"v":1,"p":"hubspot","c":[]}')]) {
    assert.throws(() => decodeCursor("hubspot", bad), InvalidRequestError);
  }
});

Deno.test("long cursors are stored, resumable only by their owner", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const store = createKvStore(kv);
    const alice = { userId: "alice", orgId: "acme" };
    const short = [{ chain: "bases", cursor: null }];
    assert.doesNotMatch(await issueCursor(store, "airtable", alice, short), /^s\./);
    const many = Array.from({ length: 100 }, (_, i) => ({
      chain: "records",
      cursor: null,
      context: { baseId: `app${i}`, tableId: `tbl${i}`, tableName: "A long table name ".repeat(3) },
    }));
    const stored = await issueCursor(store, "airtable", alice, many);
    assert.match(stored, /^s\.[0-9a-f-]{36}$/);
    assert.deepEqual(await resolveCursor(store, "airtable", alice, stored), many);
    await assert.rejects(
      resolveCursor(store, "airtable", { userId: "bob", orgId: "acme" }, stored),
      InvalidRequestError,
    );
    await assert.rejects(resolveCursor(store, "airtable", alice, "s.nope"), InvalidRequestError);
  } finally {
    kv.close();
  }
});
