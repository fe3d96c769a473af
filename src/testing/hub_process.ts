/** The Deno entry (src/main.ts) as a real process, for tests of several hubs on one store. */
import { freePort, spawnUntilReady } from "./local_server.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

export interface HubProcess {
  url: string;
  close(): Promise<void>;
}

/** Starts src/main.ts in a temporary directory (so no .env is read) with exactly `env`. */
export async function startHubProcess(env: Record<string, string>): Promise<HubProcess> {
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const cwd = await Deno.makeTempDir({ prefix: "hub-process-" });
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
      cwd,
      stdout: "piped",
      stderr: "inherit",
    }),
    "Integrations hub on",
  );
  return {
    url,
    close: async () => {
      child.kill();
      await child.status;
      await Deno.remove(cwd, { recursive: true });
    },
  };
}
