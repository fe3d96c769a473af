/**
 * `deno task bench:pacer`: what one pacing decision costs on Upstash, the hub's single script
 * (Store.pace, one EVALSHA) against @upstash/ratelimit's sliding window, on a real Redis behind
 * the project's Upstash-compatible layer. A counting proxy in front of the layer counts HTTP
 * round trips and Redis commands. Each caller asks sequentially, so a round trip is its latency.
 */
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import { createUpstashStore } from "../store/upstash_store.ts";
import { serveLocally } from "../testing/local_server.ts";
import { startUpstashForTests } from "../testing/redis_harness.ts";

const CALLS = Number(Deno.env.get("BENCH_PACER_CALLS") ?? 500);

const upstash = await startUpstashForTests();
const seen = { requests: 0, commands: 0 };
/**
 * @upstash/ratelimit's scripts open with `#!lua flags=allow-key-locking`, a flag only Upstash
 * knows (Redis 7 refuses it), so the proxy drops that line, and maps each script's digest to
 * the digest of the script Redis was given, so EVALSHA still finds it.
 */
const SHEBANG = /^#!lua[^\n]*\n/;
const digests = new Map<string, string>();
async function sha1(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
async function forRedis(command: string[]): Promise<string[]> {
  const name = command[0].toUpperCase();
  if (name === "EVAL" && SHEBANG.test(command[1])) {
    const stripped = command[1].replace(SHEBANG, "");
    digests.set(await sha1(command[1]), await sha1(stripped));
    return [command[0], stripped, ...command.slice(2)];
  }
  if (name === "EVALSHA" && digests.has(command[1])) {
    return [command[0], digests.get(command[1])!, ...command.slice(2)];
  }
  return command;
}
const proxy = serveLocally(async (request) => {
  const path = new URL(request.url).pathname;
  const body = JSON.parse(await request.text());
  seen.requests++;
  seen.commands += path === "/" ? 1 : body.length;
  const sent = path === "/"
    ? await forRedis(body)
    : await Promise.all(body.map((c: string[]) => forRedis(c)));
  return await fetch(`${upstash.url}${path}`, {
    method: "POST",
    headers: request.headers,
    body: JSON.stringify(sent),
  });
});

/** Runs `decide` CALLS times one after another; per call: round trips, commands, ms. */
async function measure(name: string, decide: (i: number) => Promise<unknown>): Promise<string> {
  await decide(-1);
  const before = { ...seen };
  const started = performance.now();
  for (let i = 0; i < CALLS; i++) await decide(i);
  const ms = (performance.now() - started) / CALLS;
  return `| ${name} | ${((seen.requests - before.requests) / CALLS).toFixed(2)} | ${
    ((seen.commands - before.commands) / CALLS).toFixed(2)
  } | ${ms.toFixed(2)} ms |`;
}

const ns = upstash.namespace;
const store = createUpstashStore({ url: proxy.url, token: upstash.token, namespace: ns });
const base = { key: "bench:base", requests: 1_000_000, windowMs: 1_100 };
const token = { key: "bench:token", requests: 1_000_000, windowMs: 1_100 };
const redis = new Redis({ url: proxy.url, token: upstash.token, automaticDeserialization: false });
const limiter = (name: string) =>
  new Ratelimit({
    redis,
    limiter: Ratelimit.slidingWindow(1_000_000, "1 s"),
    prefix: `${ns}rl:${name}`,
    analytics: false,
  });
const perBase = limiter("base");
const perToken = limiter("token");

const rows = [
  await measure(
    "hub script (Store.pace), one scope",
    () => store.pace({ scopes: [base], count: 1, maxWaitMs: null }),
  ),
  await measure(
    "hub script (Store.pace), two scopes (Airtable base + token)",
    () => store.pace({ scopes: [base, token], count: 1, maxWaitMs: null }),
  ),
  await measure(
    "hub script (Store.pace), five slots at once",
    () => store.pace({ scopes: [base, token], count: 5, maxWaitMs: null }),
  ),
  await measure("@upstash/ratelimit slidingWindow, one limit", () => perBase.limit("app1")),
  await measure("@upstash/ratelimit slidingWindow, two limits (base + token)", async () => {
    await perBase.limit("app1");
    await perToken.limit("tok1");
  }),
];
console.log(`${CALLS} sequential decisions each:\n`);
console.log(
  "| pacer | HTTP round trips per decision | Redis commands per decision | time per decision |",
);
console.log("|---|---|---|---|");
for (const row of rows) console.log(row);
await proxy.close();
await upstash.close();
