/**
 * Serves the hub for the benchmark, in a process of its own so that its memory is measured
 * alone: `deno run -A src/bench/hub_server.ts <env-json> [<upstash-json>]`. With the second
 * argument (`{"url", "token", "namespace"}`) the hub keeps its state, and so its pacer, in that
 * Upstash store; else in an embedded store of its own. Prints its URL on the first line, and
 * the second URL on that line reports the pacer's store round trips and the time they took.
 */
import { createKvStore } from "../store/kv_store.ts";
import type { Store } from "../store/store.ts";
import { createUpstashStore } from "../store/upstash_store.ts";
import { startHub } from "../testing/hub.ts";
import { serveLocally } from "../testing/local_server.ts";

const upstash = Deno.args[1] === undefined ? null : JSON.parse(Deno.args[1]);
const inner: Store = upstash === null
  ? createKvStore(await Deno.openKv(":memory:"))
  : createUpstashStore(upstash);
const pacing = { roundTrips: 0, totalMs: 0 };
const store: Store = {
  ...inner,
  pace: async (request) => {
    const started = performance.now();
    try {
      return await inner.pace(request);
    } finally {
      pacing.roundTrips++;
      pacing.totalMs += performance.now() - started;
    }
  },
};
const hub = startHub({ store, env: JSON.parse(Deno.args[0] ?? "{}") });
const stats = serveLocally(() => Response.json(pacing));
console.log(`${hub.url} ${stats.url}`);
