/** The Deno entry (src/main.ts) as a real process, for tests of several hubs or of restarts. */
import { freePort, spawnUntilReady } from "./local_server.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

export interface HubProcess {
  url: string;
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
  return {
    url,
    dir,
    output: () => output,
    close: async () => {
      child.kill();
      await child.status;
      if (options.dir === undefined) await Deno.remove(dir, { recursive: true });
    },
  };
}
