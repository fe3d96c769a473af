/**
 * The Workers entry in workerd for tests: builds the bundle as a deploy would, runs it in
 * Miniflare 4 with wrangler.toml's settings, and taps the Upstash-compatible layer in front of
 * it (round trips counted, keys namespaced).
 */
import assert from "node:assert/strict";
import { parse as parseToml } from "smol-toml";
import { freePort } from "./local_server.ts";
import type { TestUpstash } from "./redis_harness.ts";

export const ROOT = decodeURIComponent(new URL("../../", import.meta.url).pathname);

/** The part of Miniflare 4 used here. */
interface Miniflare {
  ready: Promise<URL>;
  dispatchFetch(url: string): Promise<Response>;
  getWorker(): Promise<{ scheduled(options: { cron: string }): Promise<ScheduledResult> }>;
  dispose(): Promise<void>;
}

/** How a scheduled() invocation ended (Miniflare's answer, once its waitUntil work is done). */
export interface ScheduledResult {
  outcome: string;
  noRetry: boolean;
}
interface MiniflareModule {
  Miniflare: new (options: Record<string, unknown>) => Miniflare;
  /** Miniflare's own fetch (undici), which takes the requests its outbound service gets. */
  fetch: (request: unknown) => Promise<unknown>;
}
/**
 * Imported without its type declarations: they reach for @types/node, and the @types/node 14
 * that other packages here bring in hides Deno's own `node:` module types from every file.
 */
const miniflare: MiniflareModule | Error = await import("miniflare" as string).catch((e) => e);

interface WranglerToml {
  compatibility_date: string;
  compatibility_flags?: string[];
  assets: { directory: string; binding: string; run_worker_first?: boolean };
  vars?: Record<string, string>;
}
const wrangler = parseToml(
  await Deno.readTextFile(`${ROOT}wrangler.toml`),
) as unknown as WranglerToml;

/**
 * Why workerd cannot run here, or null when it can. Tried in a process of its own: a workerd
 * that fails to start can surface as an uncaught error event, which would end this file.
 */
export async function workerdProblem(): Promise<string | null> {
  if (miniflare instanceof Error) return `miniflare cannot be loaded (${miniflare.message})`;
  const options = {
    modules: true,
    compatibilityDate: wrangler.compatibility_date,
    script: "export default { fetch: () => new Response('workerd ok') }",
  };
  const script = `import { Miniflare } from "miniflare";
    const mf = new Miniflare(${JSON.stringify(options)});
    console.log(await (await mf.dispatchFetch("http://localhost/")).text());
    await mf.dispose();`;
  try {
    const { stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["eval", script],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    if (new TextDecoder().decode(stdout).includes("workerd ok")) return null;
    const err = new TextDecoder().decode(stderr);
    return err.split("\n").find((line) => /error/i.test(line))?.trim() ?? err.slice(0, 300);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * `wrangler deploy --dry-run` of an entry (wrangler.toml's `main` unless given): the very bundle
 * a deploy of it would upload. Answers the bundle's path.
 */
export async function buildBundle(
  outdir: string,
  entry: "src/worker.ts" | "src/worker_sandbox.ts" = "src/worker.ts",
): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "npm:wrangler", "deploy", entry, "--dry-run", "--outdir", outdir],
    cwd: ROOT,
    env: { WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  assert.equal(code, 0, `wrangler failed:\n${text(stdout)}\n${text(stderr)}`);
  return `${outdir}/${entry.replace(/^src\/(.*)\.ts$/, "$1")}.js`;
}

export interface RunningWorker {
  url: string;
  /** What the Worker wrote to its console (the hub's JSON log lines). */
  logs: string[];
  /** Every URL the Worker fetched over the network. */
  outbound: string[];
  /** Fires the Worker's Cron Trigger (its scheduled() handler) once, as Cloudflare would. */
  scheduled(cron: string): Promise<ScheduledResult>;
  close(): Promise<void>;
}

type Readable = { on(event: "data", listener: (chunk: Uint8Array) => void): unknown };

/** A built bundle in workerd with wrangler.toml's date, flags, assets and vars. */
export async function startWorker(
  bundle: string,
  vars: (url: string) => Record<string, string>,
): Promise<RunningWorker> {
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const logs: string[] = [];
  const outbound: string[] = [];
  const collect = (stream: Readable) =>
    stream.on("data", (chunk) => logs.push(new TextDecoder().decode(chunk)));
  const { Miniflare, fetch: miniflareFetch } = miniflare as MiniflareModule;
  const mf = new Miniflare({
    modules: true,
    scriptPath: bundle,
    modulesRoot: bundle.slice(0, bundle.lastIndexOf("/")),
    compatibilityDate: wrangler.compatibility_date,
    compatibilityFlags: wrangler.compatibility_flags ?? [],
    bindings: { ...wrangler.vars, ...vars(url) },
    assets: {
      directory: `${ROOT}${wrangler.assets.directory}`,
      binding: wrangler.assets.binding,
      routerConfig: {
        has_user_worker: true,
        invoke_user_worker_ahead_of_assets: wrangler.assets.run_worker_first ?? false,
      },
    },
    host: "127.0.0.1",
    port,
    outboundService: (request: { url: string }) => {
      outbound.push(request.url);
      return miniflareFetch(request);
    },
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      collect(stdout);
      collect(stderr);
    },
  });
  await mf.ready;
  return {
    url,
    logs,
    outbound,
    scheduled: async (cron) => await (await mf.getWorker()).scheduled({ cron }),
    close: () => mf.dispose(),
  };
}

export interface UpstashTap {
  url: string;
  /**
   * The hub's HTTP round trips to Upstash so far; the mounted sandboxes' own (keys under
   * `sandbox:`) are not counted: they stand in for a provider the hub would call instead.
   */
  requests: number;
  /** Of those, the pacer's (Store.pace: keys under `:pace:`). */
  pacing: number;
  /** Each counted round trip's commands, by name and keys only: what a failing test shows. */
  sent: string[];
  close(): Promise<void>;
}

/** Where the keys are in each command the hub's store sends. */
const KEY_ARGS: Record<string, (command: string[]) => number[]> = {
  GET: () => [1],
  SET: () => [1],
  GETDEL: () => [1],
  DEL: (c) => c.map((_, i) => i).slice(1),
  MGET: (c) => c.map((_, i) => i).slice(1),
  EVAL: (c) => Array.from({ length: Number(c[2]) }, (_, i) => 3 + i),
  EVALSHA: (c) => Array.from({ length: Number(c[2]) }, (_, i) => 3 + i),
  PING: () => [],
};

/**
 * In front of the Upstash-compatible layer: counts round trips, and puts every key under
 * `namespace` (the Worker's store takes no namespace setting), so that the test's keys never
 * mix with other tests' or a developer's and are deleted with the harness's namespace.
 */
export function tapUpstash(upstash: TestUpstash, namespace: string): UpstashTap {
  const keysOf = (command: string[]): string[] => {
    const positions = KEY_ARGS[String(command[0]).toUpperCase()];
    if (!positions) throw new Error(`the tap does not know the command ${command[0]}`);
    return positions(command).map((i) => command[i]);
  };
  const namespaced = (command: string[]): string[] => {
    const copy = [...command];
    for (const i of KEY_ARGS[String(command[0]).toUpperCase()](command)) {
      copy[i] = namespace + copy[i];
    }
    return copy;
  };
  const bySandboxOnly = (commands: string[][]): boolean => {
    const keys = commands.flatMap(keysOf);
    return keys.length > 0 && keys.every((key) => key.startsWith("sandbox:"));
  };
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    async (request) => {
      const path = new URL(request.url).pathname;
      const body = await request.json();
      const commands: string[][] = path === "/" ? [body] : body;
      if (!bySandboxOnly(commands)) {
        tap.requests++;
        const named = commands.map((c) => [c[0], ...keysOf(c)].join(" ")).join(" | ");
        tap.sent.push(named.replace(/:session:[^ ]+/g, ":session:{id}"));
      }
      if (commands.flatMap(keysOf).some((key) => key.includes(":pace:"))) tap.pacing++;
      const headers = new Headers({ "Content-Type": "application/json" });
      for (const name of ["Authorization", "Upstash-Encoding"]) {
        const value = request.headers.get(name);
        if (value !== null) headers.set(name, value);
      }
      return await fetch(`${upstash.url}${path}`, {
        method: "POST",
        headers,
        body: JSON.stringify(path === "/" ? namespaced(body) : body.map(namespaced)),
      });
    },
  );
  const tap: UpstashTap = {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests: 0,
    pacing: 0,
    sent: [],
    close: () => server.shutdown(),
  };
  return tap;
}
