/**
 * Serves one sandbox provider for the benchmark, in a process of its own so the hub's memory is
 * measured alone: `deno run -A src/bench/sandbox_server.ts <provider> <size-json> <latency-ms>`.
 * Prints its URL on the first line. `/__bench/counters` reports the sandbox's counters and the
 * time it took to serve each API call (its added latency and its own work), and
 * `POST /__bench/redirect` registers the hub's callback.
 */
import { Hono } from "hono";
import { createAirtableSandbox } from "../sandbox/airtable/sandbox.ts";
import { createHubspotSandbox } from "../sandbox/hubspot/sandbox.ts";
import { createNotionSandbox } from "../sandbox/notion/sandbox.ts";

const [provider, sizeJson, latency] = Deno.args;
const size = JSON.parse(sizeJson ?? "null");
const latencyMs = Number(latency ?? 50);
const redirectUris: string[] = [];
const app = { clientId: "bench-client", clientSecret: "bench-secret", redirectUris, latencyMs };

function build(): { app: Hono; counters: () => object } {
  if (provider === "hubspot") {
    const s = createHubspotSandbox({ ...app, counts: size ?? undefined });
    return { app: s.app, counters: () => s.control.counters };
  }
  if (provider === "airtable") {
    const s = createAirtableSandbox({ ...app, ...(size ?? {}) });
    return { app: s.app, counters: () => s.control.counters };
  }
  if (provider === "notion") {
    const s = createNotionSandbox({ ...app, pages: size?.pages });
    return { app: s.app, counters: () => s.control.counters };
  }
  throw new Error(`no sandbox for ${provider}`);
}

const sandbox = build();
/** Milliseconds from each API call's arrival to its answer, OAuth endpoints left out. */
const apiServiceMs: number[] = [];
const root = new Hono();
root.get("/__bench/counters", (c) => c.json({ ...sandbox.counters(), apiServiceMs }));
root.post("/__bench/redirect", async (c) => {
  redirectUris.push(await c.req.text());
  return c.body(null, 204);
});
root.use("*", async (c, next) => {
  const started = performance.now();
  await next();
  if (!c.req.path.includes("/oauth")) apiServiceMs.push(performance.now() - started);
});
root.route("/", sandbox.app);
const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, root.fetch);
console.log(`http://127.0.0.1:${server.addr.port}`);
