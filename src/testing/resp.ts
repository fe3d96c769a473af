/** A small Redis RESP2 client over TCP, for the Upstash-compatible layer and the test harness. */

/**
 * One reply. Simple strings are `string`, bulk strings stay bytes (`Uint8Array`) so binary values
 * survive, and error replies are values (not thrown) so that a pipeline can report each one.
 */
export type RespValue = string | number | null | Uint8Array | RespError | RespValue[];

/** An error reply from Redis, such as `ERR unknown command` or `WRONGTYPE ...`. */
export class RespError {
  constructor(readonly message: string) {}
}

/** A command argument: text (sent as UTF-8) or raw bytes. */
export type RespArg = string | Uint8Array;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const CRLF = encoder.encode("\r\n");

/** The text of a bulk or simple string reply; null for nil and for other kinds of reply. */
export function replyText(value: RespValue): string | null {
  if (value instanceof Uint8Array) return decoder.decode(value);
  return typeof value === "string" ? value : null;
}

export class RespClient {
  #buffer: Uint8Array = new Uint8Array(0);
  readonly #waiting: { resolve: (v: RespValue) => void; reject: (e: Error) => void }[] = [];
  #closed = false;
  readonly #reading: Promise<void>;
  /** Writes go out one after another, in the order their replies were queued. */
  #writes: Promise<void> = Promise.resolve();

  private constructor(private readonly conn: Deno.Conn) {
    this.#reading = this.#readLoop();
  }

  /** Connects to `redis://[user:password@]host:port`, authenticating when the URL says so. */
  static async connect(url: string): Promise<RespClient> {
    const parsed = new URL(url);
    const conn = await Deno.connect({
      hostname: parsed.hostname || "127.0.0.1",
      port: Number(parsed.port || 6379),
    });
    const client = new RespClient(conn);
    if (parsed.password) {
      const user = decodeURIComponent(parsed.username) || "default";
      const reply = await client.sendCommand(["AUTH", user, decodeURIComponent(parsed.password)]);
      if (reply instanceof RespError) {
        await client.close();
        throw new Error(`Redis refused AUTH: ${reply.message}`);
      }
    }
    return client;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async sendCommand(args: readonly RespArg[]): Promise<RespValue> {
    const [reply] = await this.pipeline([args]);
    return reply;
  }

  /** Sends several commands in one write; replies come back in order, errors as RespError. */
  async pipeline(commands: readonly (readonly RespArg[])[]): Promise<RespValue[]> {
    if (this.#closed) throw new Error("the Redis connection is closed");
    // Queued synchronously, so concurrent callers get replies in the order they called.
    const replies = Promise.all(
      commands.map(() =>
        new Promise<RespValue>((resolve, reject) => this.#waiting.push({ resolve, reject }))
      ),
    );
    const payload = concat(commands.map(encodeCommand));
    const write = this.#writes.then(() => writeAll(this.conn, payload));
    this.#writes = write.catch(() => {});
    try {
      await write;
    } catch (error) {
      this.#failAll(asError(error));
      this.#closeConn();
    }
    return await replies;
  }

  /** Closes the connection; commands still waiting for a reply are rejected. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#failAll(new Error("the Redis connection was closed"));
      this.#closeConn();
    }
    await this.#reading;
  }

  #closeConn(): void {
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }

  async #readLoop(): Promise<void> {
    const chunk = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const n = await this.conn.read(chunk);
        if (n === null) break;
        this.#buffer = concat([this.#buffer, chunk.subarray(0, n)]);
        let offset = 0;
        while (offset < this.#buffer.length) {
          const reply = parseReply(this.#buffer, offset);
          if (reply === null) break;
          offset = reply[1];
          this.#waiting.shift()?.resolve(reply[0]);
        }
        this.#buffer = this.#buffer.slice(offset);
      }
      this.#failAll(new Error("Redis closed the connection"));
    } catch (error) {
      this.#failAll(asError(error));
      this.#closeConn();
    }
  }

  #failAll(error: Error): void {
    this.#closed = true;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(error);
  }
}

function encodeCommand(args: readonly RespArg[]): Uint8Array {
  const parts: Uint8Array[] = [encoder.encode(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === "string" ? encoder.encode(arg) : arg;
    parts.push(encoder.encode(`$${bytes.length}\r\n`), bytes, CRLF);
  }
  return concat(parts);
}

/** Parses one reply from `buffer` at `offset`: the value and the next offset, or null if partial. */
function parseReply(buffer: Uint8Array, offset: number): [RespValue, number] | null {
  const lineEnd = buffer.indexOf(13, offset);
  if (lineEnd < 0 || lineEnd + 1 >= buffer.length) return null;
  const line = decoder.decode(buffer.subarray(offset + 1, lineEnd));
  const next = lineEnd + 2;
  switch (buffer[offset]) {
    case 43: // "+"
      return [line, next];
    case 45: // "-"
      return [new RespError(line), next];
    case 58: // ":"
      return [Number(line), next];
    case 36: { // "$"
      const length = Number(line);
      if (length < 0) return [null, next];
      if (buffer.length < next + length + 2) return null;
      return [buffer.slice(next, next + length), next + length + 2];
    }
    case 42: { // "*"
      const count = Number(line);
      if (count < 0) return [null, next];
      const items: RespValue[] = [];
      let position = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, position);
        if (item === null) return null;
        items.push(item[0]);
        position = item[1];
      }
      return [items, position];
    }
    default:
      throw new Error(`unexpected RESP reply type ${String.fromCharCode(buffer[offset])}`);
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
