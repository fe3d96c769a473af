/**
 * The Cloudflare Workers entry (wrangler.toml `main`, `deno task build:worker`): the hub without
 * the sandbox providers, so the deployed bundle ships no emulator code. A development Worker
 * that connects to the sandboxes runs src/worker_sandbox.ts instead.
 */
import { workerHandler } from "./worker_handler.ts";

export default workerHandler({});
