/** Notion's revoke and introspect endpoints over real HTTP. */
import assert from "node:assert/strict";
import {
  BASIC,
  connect,
  searchRequest,
  serve,
  tokenRequest,
} from "../../testing/sandboxes/notion.ts";

Deno.test("revoke and introspect need Basic and end the connection", async () => {
  const s = serve();
  try {
    const tokens = await connect(s);
    const call = (path: string, auth: string) =>
      fetch(`${s.url}/v1/oauth/${path}`, {
        method: "POST",
        headers: {
          Authorization: auth,
          "Content-Type": "application/json",
          "Notion-Version": "2022-06-28",
        },
        body: JSON.stringify({ token: tokens.access_token }),
      });
    assert.equal((await call("revoke", "")).status, 401);
    assert.equal((await (await call("introspect", BASIC)).json()).active, true);
    const revoked = await call("revoke", BASIC);
    assert.equal(revoked.status, 200);
    assert.equal(typeof (await revoked.json()).request_id, "string");
    assert.equal((await (await call("introspect", BASIC)).json()).active, false);
    assert.equal((await searchRequest(s, String(tokens.access_token), {})).status, 401);
    const refresh = await tokenRequest(s, {
      grant_type: "refresh_token",
      refresh_token: String(tokens.refresh_token),
    });
    assert.equal(refresh.status, 400);
  } finally {
    await s.close();
  }
});
