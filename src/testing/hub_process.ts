/** The Deno entry (src/main.ts) as a real process, for tests of several hubs or of restarts. */
import { freePort, spawnUntilReady } from "./local_server.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

export interface HubProcess {
  url: string;
  pid: number;
  /** Sends the process a signal (SIGTERM to test a graceful shutdown). */
  kill(signal: Deno.Signal): void;
  /** Settles when the process has exited. */
  status: Promise<Deno.CommandStatus>;
  /** The working directory: its .data/ holds the embedded store and development keys. */
  dir: string;
  /** What the process printed after it was ready (its log lines). */
  output(): string;
  close(): Promise<void>;
}

export interface HubProcessOptions {
  /** Run in this directory and keep it (a restart); default a new one, removed on close. */
  dir?: string;
  /** Default a free port. */
  port?: number;
}

/** Starts src/main.ts (no .env is read unless `dir` has one) with exactly `env`. */
export async function startHubProcess(
  env: Record<string, string>,
  options: HubProcessOptions = {},
): Promise<HubProcess> {
  const port = options.port ?? freePort();
  const url = `http://127.0.0.1:${port}`;
  const dir = options.dir ?? await Deno.makeTempDir({ prefix: "hub-process-" });
  let output = "";
  const { process: child } = await spawnUntilReady(
    new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", `--config=${ROOT}deno.json`, `${ROOT}src/main.ts`],
      env: {
        PATH: Deno.env.get("PATH") ?? "",
        HOME: Deno.env.get("HOME") ?? "",
        // Background syncs off unless asked for, as in startHub (see there).
        SYNC_INTERVAL_MINUTES: "0",
        ...env,
        PORT: String(port),
        APP_URL: url,
      },
      cwd: dir,
      stdout: "piped",
      stderr: "inherit",
    }),
    "Integrations hub on",
    (text) => output += text,
  );
  let exited = false;
  const status = child.status.finally(() => {
    exited = true;
  });
  return {
    url,
    dir,
    pid: child.pid,
    kill: (signal) => child.kill(signal),
    status,
    output: () => output,
    close: async () => {
      if (!exited) child.kill();
      await status;
      if (options.dir === undefined) await Deno.remove(dir, { recursive: true });
    },
  };
}
