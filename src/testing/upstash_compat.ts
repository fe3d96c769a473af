/**
 * An Upstash-REST-compatible layer over a real Redis, faithful to what the official
 * `@upstash/redis` client expects on its default settings: `POST /` (one command),
 * `POST /pipeline`, `POST /multi-exec`, a bearer token on every route, HTTP 400 for command
 * errors, and base64-encoded strings when the request says `Upstash-Encoding: base64`.
 * Kept in the project for tests and local use; production talks to Upstash itself.
 */
import { RespClient, RespError, type RespValue } from "./resp.ts";

type JsonValue = string | number | null | JsonValue[];
type Reply = { result: JsonValue } | { error: string };

export interface UpstashCompatOptions {
  redisUrl: string;
  token: string;
}

export interface UpstashCompatHandler {
  handler: (request: Request) => Promise<Response>;
  close(): Promise<void>;
}

export interface UpstashCompatServer {
  url: string;
  token: string;
  close(): Promise<void>;
}

/** Commands that would change the state of the connection that `/` and `/pipeline` share. */
const CONNECTION_STATE = new Set(
  "MULTI EXEC DISCARD WATCH UNWATCH SELECT SUBSCRIBE PSUBSCRIBE SSUBSCRIBE MONITOR QUIT RESET HELLO AUTH CLIENT"
    .split(" "),
);

/** Answers Upstash REST requests by running them on the Redis at `redisUrl`. */
export function createUpstashCompatHandler(options: UpstashCompatOptions): UpstashCompatHandler {
  const open = new Set<RespClient>();
  let shared: Promise<RespClient> | null = null;
  let closed = false;

  const connect = async (): Promise<RespClient> => {
    const client = await RespClient.connect(options.redisUrl);
    open.add(client);
    return client;
  };
  const forget = async (client: RespClient): Promise<void> => {
    open.delete(client);
    await client.close();
  };
  /** One connection for `/` and `/pipeline`; replaced after it fails (e.g. Redis restarted). */
  const onShared = async (commands: string[][]): Promise<RespValue[]> => {
    const pending = shared ??= connect();
    try {
      return await (await pending).pipeline(commands);
    } catch (error) {
      if (shared === pending) shared = null;
      await pending.then(forget, () => {});
      throw error;
    }
  };
  /** MULTI/EXEC on a connection of its own, so no other request's command interleaves. */
  const transaction = async (commands: string[][]): Promise<RespValue[]> => {
    const client = await connect();
    try {
      const replies = await client.pipeline([["MULTI"], ...commands, ["EXEC"]]);
      const failed = replies.find((r) => r instanceof RespError);
      const exec = replies[replies.length - 1];
      // A command that could not be queued aborts the whole transaction, as in Redis.
      if (failed instanceof RespError && !Array.isArray(exec)) throw new BadRequest(failed.message);
      if (!Array.isArray(exec)) throw new BadRequest("ERR the transaction was aborted");
      return exec;
    } finally {
      await forget(client);
    }
  };

  const handler = async (request: Request): Promise<Response> => {
    if (request.headers.get("Authorization") !== `Bearer ${options.token}`) {
      return Response.json({ error: "Unauthorized" }, { status: 401 });
    }
    const path = new URL(request.url).pathname.replace(/\/+$/, "") || "/";
    if (!["/", "/pipeline", "/multi-exec"].includes(path)) {
      return Response.json({ error: "ERR unknown endpoint" }, { status: 404 });
    }
    if (request.method !== "POST") {
      return Response.json({ error: "ERR only POST is supported here" }, { status: 405 });
    }
    if (closed) return Response.json({ error: "ERR the layer is closed" }, { status: 503 });
    const base64 = request.headers.get("Upstash-Encoding")?.toLowerCase() === "base64";
    try {
      const body = parseJson(await request.text());
      if (path === "/") {
        const [reply] = await onShared([asCommand(body, true)]);
        if (reply instanceof RespError) {
          return Response.json({ error: reply.message }, { status: 400 });
        }
        return Response.json({ result: toJson(reply, base64, true) });
      }
      if (!Array.isArray(body) || body.length === 0) {
        throw new BadRequest("ERR the body must be a non-empty array of commands");
      }
      const replies = path === "/pipeline"
        ? await onShared(body.map((c) => asCommand(c, true)))
        : await transaction(body.map((c) => asCommand(c, false)));
      return Response.json(replies.map((reply): Reply => toReply(reply, base64)));
    } catch (error) {
      if (error instanceof BadRequest) {
        return Response.json({ error: error.message }, { status: 400 });
      }
      return Response.json({ error: "ERR Redis is unavailable" }, { status: 503 });
    }
  };

  return {
    handler,
    close: async () => {
      closed = true;
      shared = null;
      await Promise.all([...open].map(forget));
    },
  };
}

/** Serves the layer on 127.0.0.1 (port 0, the default: a free one). */
export function startUpstashCompat(
  options: UpstashCompatOptions & { port?: number },
): Promise<UpstashCompatServer> {
  const compat = createUpstashCompatHandler(options);
  return new Promise((resolve) => {
    const server = Deno.serve({
      port: options.port ?? 0,
      hostname: "127.0.0.1",
      onListen: ({ port }) =>
        resolve({
          url: `http://127.0.0.1:${port}`,
          token: options.token,
          close: async () => {
            await server.shutdown();
            await compat.close();
          },
        }),
    }, compat.handler);
  });
}

class BadRequest extends Error {}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest("ERR failed to parse the request body as JSON");
  }
}

/** A command as Redis gets it: its name uppercased, every argument as text. */
function asCommand(value: unknown, shared: boolean): string[] {
  if (
    !Array.isArray(value) || value.length === 0 ||
    !value.every((v) => ["string", "number", "boolean"].includes(typeof v))
  ) {
    throw new BadRequest("ERR a command is a non-empty array of strings and numbers");
  }
  const [name, ...args] = value.map(String);
  const command = name.toUpperCase();
  if (shared && CONNECTION_STATE.has(command)) {
    throw new BadRequest(`ERR ${command} is not supported over REST`);
  }
  return [command, ...args];
}

function toReply(reply: RespValue, base64: boolean): Reply {
  return reply instanceof RespError
    ? { error: reply.message }
    : { result: toJson(reply, base64, true) };
}

/**
 * With base64 on, Upstash encodes every string except a top-level "OK" status, and the client
 * decodes accordingly (a plain "PONG" would come back garbled), so simple strings are encoded too.
 */
function toJson(value: RespValue, base64: boolean, top: boolean): JsonValue {
  if (value instanceof Uint8Array) return base64 ? encodeBase64(value) : decoder.decode(value);
  if (Array.isArray(value)) return value.map((v) => toJson(v, base64, false));
  if (value instanceof RespError) return toJson(value.message, base64, false);
  if (typeof value === "string" && base64 && !(top && value === "OK")) {
    return encodeBase64(encoder.encode(value));
  }
  return value;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
