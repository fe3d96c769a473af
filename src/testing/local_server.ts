/** A handler served quietly on a free loopback port: how tests stand up a hub or a provider. */
export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

export function serveLocally(
  handler: (request: Request) => Response | Promise<Response>,
): LocalServer {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, handler);
  return { url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

/** A loopback port free right now, for a server that must know its URL before it starts. */
export function freePort(): number {
  const listener = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/**
 * Spawns a server process (stdout piped) and waits until its output contains `ready`; returns
 * what it printed up to then. The rest of its output is drained so it never blocks on the pipe,
 * and handed to `onOutput` when given.
 */
export async function spawnUntilReady(
  command: Deno.Command,
  ready: string,
  onOutput: (text: string) => void = () => {},
): Promise<{ process: Deno.ChildProcess; printed: string }> {
  const process = command.spawn();
  const reader = process.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let printed = "";
  while (!printed.includes(ready)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the server process ended before it was ready:\n${printed}`);
    printed += value;
  }
  (async () => {
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      onOutput(read.value);
    }
  })().catch(() => {});
  return { process, printed };
}
