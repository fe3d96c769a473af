/**
 * Serves the hub for the benchmark, in a process of its own so that its memory is measured
 * alone: `deno run -A src/bench/hub_server.ts <env-json>`. Prints its URL on the first line.
 */
import { createKvStore } from "../store/kv_store.ts";
import { startHub } from "../testing/hub.ts";

const kv = await Deno.openKv(":memory:");
const hub = startHub({ store: createKvStore(kv), env: JSON.parse(Deno.args[0] ?? "{}") });
console.log(hub.url);
