/**
 * An Upstash-REST-compatible layer over a real Redis, faithful to what the official
 * `@upstash/redis` client does on its default settings: `POST /` (one command),
 * `POST /pipeline`, `POST /multi-exec`, a bearer token on every route, HTTP 400 for command
 * errors, and base64-encoded bulk strings when the client sends `Upstash-Encoding: base64`.
 * Kept in the project for tests and local use; production talks to Upstash itself.
 */
import { RespClient, RespError, type RespValue } from "./resp.ts";

type JsonValue = string | number | null | JsonValue[];

export interface UpstashCompat {
  handler: (request: Request) => Promise<Response>;
  close(): Promise<void>;
}

/** Answers Upstash REST requests by running them on the Redis at `redisUrl`. */
export function createUpstashCompatHandler(
  options: { redisUrl: string; token: string },
): UpstashCompat {
  const clients: RespClient[] = [];
  let shared: Promise<RespClient> | null = null;
  const connect = async () => {
    const client = await RespClient.connect(options.redisUrl);
    clients.push(client);
    return client;
  };
  const sharedClient = () => (shared ??= connect());

  const handler = async (request: Request): Promise<Response> => {
    if (request.headers.get("Authorization") !== `Bearer ${options.token}`) {
      return Response.json({ error: "Unauthorized" }, { status: 401 });
    }
    const path = new URL(request.url).pathname.replace(/\/+$/, "") || "/";
    if (request.method !== "POST" || !["/", "/pipeline", "/multi-exec"].includes(path)) {
      return Response.json({ error: "ERR unknown endpoint" }, { status: 404 });
    }
    const base64 = request.headers.get("Upstash-Encoding")?.toLowerCase() === "base64";
    const body: unknown = await request.json().catch(() => undefined);
    try {
      if (path === "/") {
        const command = asCommand(body);
        const reply = await (await sharedClient()).sendCommand(command);
        if (reply instanceof RespError) {
          return Response.json({ error: reply.message }, { status: 400 });
        }
        return Response.json({ result: toJson(reply, base64) });
      }
      if (!Array.isArray(body) || body.length === 0) {
        throw new BadRequest("ERR the body must be a non-empty array of commands");
      }
      const commands = body.map(asCommand);
      const replies = path === "/pipeline"
        ? await (await sharedClient()).pipeline(commands)
        : await runTransaction(connect, commands);
      return Response.json(
        replies.map((r) =>
          r instanceof RespError ? { error: r.message } : { result: toJson(r, base64) }
        ),
      );
    } catch (error) {
      if (error instanceof BadRequest) {
        return Response.json({ error: error.message }, { status: 400 });
      }
      return Response.json({ error: "ERR the Redis server is unavailable" }, { status: 503 });
    }
  };

  return {
    handler,
    close: async () => {
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}

/** MULTI/EXEC on a connection of its own, so no other command interleaves. */
async function runTransaction(
  connect: () => Promise<RespClient>,
  commands: string[][],
): Promise<RespValue[]> {
  const client = await connect();
  try {
    const replies = await client.pipeline([["MULTI"], ...commands, ["EXEC"]]);
    const queued = replies.slice(1, -1);
    const failedToQueue = queued.find((r) => r instanceof RespError);
    if (failedToQueue instanceof RespError) {
      throw new BadRequest(failedToQueue.message);
    }
    const exec = replies[replies.length - 1];
    if (exec instanceof RespError) throw new BadRequest(exec.message);
    return Array.isArray(exec) ? exec : [];
  } finally {
    await client.close();
  }
}

class BadRequest extends Error {}

function asCommand(value: unknown): string[] {
  if (
    !Array.isArray(value) || value.length === 0 ||
    !value.every((v) => ["string", "number", "boolean"].includes(typeof v))
  ) {
    throw new BadRequest("ERR a command is a non-empty array of strings and numbers");
  }
  const [name, ...args] = value.map(String);
  return [name.toUpperCase(), ...args];
}

function toJson(value: RespValue, base64: boolean): JsonValue {
  if (value instanceof Uint8Array) {
    return base64 ? encodeBase64(value) : new TextDecoder().decode(value);
  }
  if (Array.isArray(value)) return value.map((v) => toJson(v, base64));
  if (value instanceof RespError) return value.message;
  return value;
}

function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Serves the layer on 127.0.0.1 (port 0: a free one). */
export function startUpstashCompat(
  options: { redisUrl: string; token: string; port?: number },
): { url: string; token: string; close(): Promise<void> } {
  const compat = createUpstashCompatHandler(options);
  const server = Deno.serve(
    { port: options.port ?? 0, hostname: "127.0.0.1", onListen: () => {} },
    compat.handler,
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    token: options.token,
    close: async () => {
      await server.shutdown();
      await compat.close();
    },
  };
}
