/**
 * `deno task upstash-local`: serves the Upstash-compatible layer over a local Redis, so the hub
 * can run against "Upstash" without an account (set the two printed variables in .env).
 */
import { startUpstashCompat } from "./upstash_compat.ts";

const port = Number(Deno.env.get("PORT") ?? 8079);
const redisUrl = Deno.env.get("REDIS_URL") ?? "redis://127.0.0.1:6379";
const token = Deno.env.get("UPSTASH_LOCAL_TOKEN") ?? "local-dev-token";
const layer = startUpstashCompat({ redisUrl, token, port });
console.log(`Upstash-compatible layer over ${redisUrl}`);
console.log(`UPSTASH_REDIS_REST_URL=${layer.url}`);
console.log(`UPSTASH_REDIS_REST_TOKEN=${token}`);
