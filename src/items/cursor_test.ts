import assert from "node:assert/strict";
import { InvalidRequestError } from "../errors.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";

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
