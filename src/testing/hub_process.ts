/** The Deno entry (src/main.ts) as a real process, for tests of several hubs on one store. */
import { freePort, spawnUntilReady } from "./local_server.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

export interface HubProcess {
  url: string;
  pid: number;
  /** Sends the process a signal (SIGTERM to test a graceful shutdown). */
  kill(signal: Deno.Signal): void;
  /** Settles when the process has exited. */
  status: Promise<Deno.CommandStatus>;
  /** What it printed to stdout after it was ready (its log lines). */
  output(): string;
  close(): Promise<void>;
}

/** Starts src/main.ts in a temporary directory (so no .env is read) with exactly `env`. */
export async function startHubProcess(env: Record<string, string>): Promise<HubProcess> {
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const cwd = await Deno.makeTempDir({ prefix: "hub-process-" });
  const { process: child, rest } = await spawnUntilReady(
    new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", `--config=${ROOT}deno.json`, `${ROOT}src/main.ts`],
      env: {
        PATH: Deno.env.get("PATH") ?? "",
        HOME: Deno.env.get("HOME") ?? "",
        ...env,
        PORT: String(port),
        APP_URL: url,
      },
      cwd,
      stdout: "piped",
      stderr: "inherit",
    }),
    "Integrations hub on",
  );
  let exited = false;
  const status = child.status.finally(() => {
    exited = true;
  });
  return {
    url,
    pid: child.pid,
    kill: (signal) => child.kill(signal),
    status,
    output: rest,
    close: async () => {
      if (!exited) child.kill();
      await status;
      await Deno.remove(cwd, { recursive: true });
    },
  };
}
