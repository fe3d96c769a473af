import assert from "node:assert/strict";
import { createKvStore } from "../store/kv_store.ts";
import { startHub } from "../testing/hub.ts";
import { MAX_HEADER_BYTES, MAX_URL_BYTES } from "./head_limit.ts";

async function withHub(fn: (url: string) => Promise<void>): Promise<void> {
  const kv = await Deno.openKv(":memory:");
  const hub = startHub({ store: createKvStore(kv) });
  try {
    await fn(hub.url);
  } finally {
    await hub.close();
    kv.close();
  }
}

Deno.test("a URL over 8 KB is 414 and headers over 16 KB are 431, with the error envelope", async () => {
  await withHub(async (url) => {
    const long = await fetch(`${url}/health?pad=${"a".repeat(MAX_URL_BYTES)}`);
    assert.equal(long.status, 414);
    assert.equal((await long.json()).error.code, "uri_too_long");

    const big = await fetch(`${url}/health`, {
      headers: { "X-Pad": "a".repeat(MAX_HEADER_BYTES) },
    });
    assert.equal(big.status, 431);
    assert.equal((await big.json()).error.code, "headers_too_large");

    const page = await fetch(`${url}/`, {
      headers: { Accept: "text/html", Cookie: `junk=${"a".repeat(MAX_HEADER_BYTES)}` },
    });
    assert.equal(page.status, 431);
    assert.match(await page.text(), /headers are larger than 16 KB/);

    assert.equal(
      (await fetch(`${url}/health`, { headers: { "X-Pad": "a".repeat(8_000) } })).status,
      200,
    );
  });
});

Deno.test("a request head over 64 KiB never reaches the app: Deno answers an empty 400", async () => {
  await withHub(async (url) => {
    const response = await fetch(`${url}/health`, { headers: { "X-Pad": "a".repeat(70_000) } });
    assert.equal(response.status, 400);
    assert.equal(await response.text(), "");
  });
});
