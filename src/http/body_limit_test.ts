import assert from "node:assert/strict";
import { createKvStore } from "../store/kv_store.ts";
import { hubEnv } from "../testing/faulty_servers.ts";
import { startHub, TEST_API_KEY } from "../testing/hub.ts";
import { startHubProcess } from "../testing/hub_process.ts";
import { SMALL_BODY_BYTES } from "./body_limit.ts";

const MB = 1024 * 1024;

/** A body of `total` bytes sent in 64 KB chunks, so it goes out chunked, without a length. */
function chunked(total: number, byte = 0x61): ReadableStream<Uint8Array> {
  let sent = 0;
  const chunk = new Uint8Array(64 * 1024).fill(byte);
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) return controller.close();
      const size = Math.min(chunk.length, total - sent);
      controller.enqueue(chunk.subarray(0, size));
      sent += size;
    },
  });
}

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

const apiKey = { Authorization: `Bearer ${TEST_API_KEY}` };
const tooLarge = {
  error: {
    code: "payload_too_large",
    message: "The request body is larger than 16 KB, the most this address accepts. Send less.",
  },
};

Deno.test("POST /api/sessions: a body over 16 KB is 413 JSON, with or without Content-Length", async () => {
  await withHub(async (url) => {
    const declared = await fetch(`${url}/api/sessions`, {
      method: "POST",
      headers: { ...apiKey, "Content-Type": "application/json" },
      body: JSON.stringify({ user_id: "ada", org_id: "acme", pad: "x".repeat(10 * MB) }),
    });
    assert.equal(declared.status, 413);
    assert.deepEqual(await declared.json(), tooLarge);

    const streamed = await fetch(`${url}/api/sessions`, {
      method: "POST",
      headers: { ...apiKey, "Content-Type": "application/json" },
      body: chunked(SMALL_BODY_BYTES + 1),
    });
    assert.equal(streamed.status, 413);
    assert.deepEqual(await streamed.json(), tooLarge);

    // Just under the limit is read and validated as usual.
    const padded = JSON.stringify({ user_id: "ada", org_id: "acme" }).padEnd(
      SMALL_BODY_BYTES,
      " ",
    );
    const fits = await fetch(`${url}/api/sessions`, {
      method: "POST",
      headers: { ...apiKey, "Content-Type": "application/json" },
      body: padded,
    });
    assert.equal(fits.status, 201, await fits.clone().text());
    await fits.body?.cancel();
  });
});

Deno.test("browser forms: a body over 16 KB is a 413 page, chunked ones too", async () => {
  await withHub(async (url) => {
    const headers = {
      "Content-Type": "application/x-www-form-urlencoded",
      Origin: url,
      Accept: "text/html",
    };
    for (const body of [`user_id=${"a".repeat(SMALL_BODY_BYTES)}&org_id=acme`, chunked(100 * MB)]) {
      const response = await fetch(`${url}/login`, { method: "POST", headers, body });
      assert.equal(response.status, 413);
      assert.match(response.headers.get("Content-Type") ?? "", /text\/html/);
      assert.match(await response.text(), /larger than 16 KB/);
    }
    const signedIn = await fetch(`${url}/login`, {
      method: "POST",
      headers,
      body: "user_id=ada&org_id=acme",
      redirect: "manual",
    });
    assert.equal(signedIn.status, 303);
  });
});

/** Resident memory of a process, from /proc (Linux). */
async function rssBytes(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

Deno.test({
  name: "ten 10 MB bodies at once leave a hub process's memory flat",
  ignore: Deno.build.os !== "linux",
  sanitizeResources: false,
  fn: async () => {
    const hub = await startHubProcess(hubEnv({}));
    try {
      const send = (body: BodyInit, length: boolean) =>
        fetch(`${hub.url}/api/sessions`, {
          method: "POST",
          headers: {
            ...apiKey,
            "Content-Type": "application/json",
            ...(length ? {} : { "Transfer-Encoding": "chunked" }),
          },
          body,
        }).then(async (r) => {
          await r.body?.cancel();
          return r.status;
        });
      await send("{}", true);
      const before = await rssBytes(hub.pid);
      const statuses = await Promise.all([
        ...Array.from({ length: 5 }, () => send("x".repeat(10 * MB), true)),
        ...Array.from({ length: 5 }, () => send(chunked(10 * MB), false)),
      ]);
      assert.deepEqual(statuses, Array(10).fill(413));
      const growth = (await rssBytes(hub.pid)) - before;
      // Reading the bodies whole would take 100 MB and more; refusing them takes next to none.
      assert.ok(growth < 30 * MB, `the hub grew by ${Math.round(growth / MB)} MB`);
    } finally {
      await hub.close();
    }
  },
});
