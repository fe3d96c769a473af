/**
 * The Workers entry with the sandbox providers built in, for a development Worker and the tests
 * (`deno task dev:worker`, `deno task build:worker:sandbox`); otherwise the same as src/worker.ts.
 */
import { mountSandboxes } from "./sandbox/mount.ts";
import { workerHandler } from "./worker_handler.ts";

export default workerHandler({ mountSandboxes });
