/**
 * A sandbox provider in a process of its own (src/bench/sandbox_server.ts), so that it counts
 * calls as they arrive, not when a test's busy event loop gets to them, and so that several
 * hubs (processes, a Worker) reach the one provider and are counted together.
 */
import { providerEnv } from "../provider_config.ts";
import type { ProviderId } from "../providers/registry.ts";
import { spawnUntilReady } from "./local_server.ts";

export interface SandboxProcess {
  url: string;
  /** The hub settings that point a provider's OAuth and API at this sandbox. */
  env: Record<string, string>;
  // deno-lint-ignore no-explicit-any
  counters(): Promise<any>;
  /** Registers a hub's OAuth callback with the sandbox's app. */
  register(redirectUri: string): Promise<void>;
  close(): Promise<void>;
}

/** `size` is the sandbox's account (src/bench/sandbox_server.ts); null: its seed data. */
export async function startSandboxProcess(
  provider: ProviderId,
  latencyMs = 20,
  size: Record<string, number> | null = null,
): Promise<SandboxProcess> {
  const { process, printed } = await spawnUntilReady(
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../bench/sandbox_server.ts", import.meta.url).pathname,
        provider,
        JSON.stringify(size),
        String(latencyMs),
      ],
      stdout: "piped",
      stderr: "inherit",
    }),
    "\n",
  );
  const url = printed.split("\n")[0].trim();
  return {
    url,
    env: providerEnv(provider, {
      clientId: "bench-client",
      clientSecret: "bench-secret",
      base: url,
    }),
    counters: async () => await (await fetch(`${url}/__bench/counters`)).json(),
    register: async (uri) => {
      await (await fetch(`${url}/__bench/redirect`, { method: "POST", body: uri })).body?.cancel();
    },
    close: async () => {
      process.kill();
      await process.status;
    },
  };
}
