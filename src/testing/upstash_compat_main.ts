/**
 * `deno task upstash-local`: serves the Upstash-compatible layer over a local Redis, so the hub
 * can run against "Upstash" without an account (put the two printed variables in .env).
 * Settings: PORT (8079), REDIS_URL (redis://127.0.0.1:6379), UPSTASH_LOCAL_TOKEN (local-dev-token).
 */
import { RespClient } from "./resp.ts";
import { startUpstashCompat } from "./upstash_compat.ts";

const port = Number(Deno.env.get("PORT") || 8079);
const redisUrl = Deno.env.get("REDIS_URL") || "redis://127.0.0.1:6379";
const token = Deno.env.get("UPSTASH_LOCAL_TOKEN") || "local-dev-token";

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got ${JSON.stringify(Deno.env.get("PORT"))}`);
  Deno.exit(1);
}

// Fail at start with a hint rather than answering 503 to every request later.
try {
  const client = await RespClient.connect(redisUrl);
  await client.sendCommand(["PING"]);
  await client.close();
} catch (error) {
  console.error(
    `No Redis answers at ${redisUrl} (${error instanceof Error ? error.message : error}).`,
  );
  console.error(`Start one (redis-server --port 6379 --save "" --appendonly no) or set REDIS_URL.`);
  Deno.exit(1);
}

const layer = await startUpstashCompat({ redisUrl, token, port });
console.log(`Upstash-compatible layer over ${redisUrl}. Use:`);
console.log(`UPSTASH_REDIS_REST_URL=${layer.url}`);
console.log(`UPSTASH_REDIS_REST_TOKEN=${token}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, async () => {
    await layer.close();
    Deno.exit(0);
  });
}
