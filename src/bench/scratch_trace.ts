import { providerEnv } from "../provider_config.ts";
import {
  BENCH_APP,
  connectUser,
  HUB_HEAP_MB,
  LATENCY_MS,
  listAll,
  startServer,
} from "./bench_process.ts";
const provider = Deno.args[0] ?? "notion";
const sandbox = await startServer("sandbox_server.ts", [provider, "null", String(LATENCY_MS)]);
const hub = await startServer("hub_server.ts", [
  JSON.stringify({
    SANDBOX: "false",
    ...providerEnv(provider, { ...BENCH_APP, base: sandbox.url }),
  }),
], [`--v8-flags=--max-old-space-size=${HUB_HEAP_MB}`]);
await fetch(`${sandbox.url}/__bench/redirect`, {
  method: "POST",
  body: `${hub.url}/integrations/${provider}/oauth2callback`,
});
const browser = await connectUser(hub.url, provider, "bench");
const items = `${hub.url}/integrations/${provider}/items`;
const times = [];
for (let i = 0; i < Number(Deno.args[1] ?? 8); i++) {
  await new Promise((r) => setTimeout(r, Number(Deno.args[2] ?? 1200)));
  const t = performance.now();
  await listAll(browser, items, undefined);
  times.push(Math.round(performance.now() - t));
}
console.log(provider, times.join(" "));
hub.process.kill();
sandbox.process.kill();
