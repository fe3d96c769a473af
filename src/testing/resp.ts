/** A small Redis RESP2 client over TCP, for the Upstash-compatible layer and the test harness. */

/** A reply: error replies are values (not thrown) so that a pipeline can report each one. */
export type RespValue = string | number | null | Uint8Array | RespError | RespValue[];

export class RespError {
  constructor(readonly message: string) {}
}

const encoder = new TextEncoder();
const CRLF = encoder.encode("\r\n");

function encodeCommand(args: readonly (string | Uint8Array)[]): Uint8Array {
  const parts: Uint8Array[] = [encoder.encode(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === "string" ? encoder.encode(arg) : arg;
    parts.push(encoder.encode(`$${bytes.length}\r\n`), bytes, CRLF);
  }
  return concat(parts);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Parses one reply from `buffer` at `offset`; null when more bytes are needed. */
function parseReply(buffer: Uint8Array, offset: number): [RespValue, number] | null {
  const lineEnd = findCrlf(buffer, offset);
  if (lineEnd < 0) return null;
  const type = String.fromCharCode(buffer[offset]);
  const line = new TextDecoder().decode(buffer.subarray(offset + 1, lineEnd));
  const next = lineEnd + 2;
  switch (type) {
    case "+":
      return [line, next];
    case "-":
      return [new RespError(line), next];
    case ":":
      return [Number(line), next];
    case "$": {
      const length = Number(line);
      if (length < 0) return [null, next];
      if (buffer.length < next + length + 2) return null;
      return [buffer.slice(next, next + length), next + length + 2];
    }
    case "*": {
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
      throw new Error(`unexpected RESP reply type ${JSON.stringify(type)}`);
  }
}

function findCrlf(buffer: Uint8Array, from: number): number {
  for (let i = from; i < buffer.length - 1; i++) {
    if (buffer[i] === 13 && buffer[i + 1] === 10) return i;
  }
  return -1;
}

export class RespClient {
  #buffer = new Uint8Array(0);
  readonly #waiting: { resolve: (v: RespValue) => void; reject: (e: Error) => void }[] = [];
  #closed = false;
  readonly #reading: Promise<void>;
  /** Writes go out one after another, in the order their replies are awaited. */
  #writes: Promise<void> = Promise.resolve();

  private constructor(private readonly conn: Deno.Conn) {
    this.#reading = this.#readLoop();
  }

  /** Connects to `redis://host:port`. */
  static async connect(url: string): Promise<RespClient> {
    const { hostname, port } = new URL(url);
    const conn = await Deno.connect({ hostname, port: Number(port || 6379) });
    return new RespClient(conn);
  }

  sendCommand(args: readonly (string | Uint8Array)[]): Promise<RespValue> {
    return this.pipeline([args]).then((replies) => replies[0]);
  }

  /** Sends several commands in one write; replies come back in order. */
  async pipeline(commands: readonly (readonly (string | Uint8Array)[])[]): Promise<RespValue[]> {
    if (this.#closed) throw new Error("the Redis connection is closed");
    const replies = commands.map(() =>
      new Promise<RespValue>((resolve, reject) => this.#waiting.push({ resolve, reject }))
    );
    const payload = concat(commands.map(encodeCommand));
    const write = this.#writes.then(() => writeAll(this.conn, payload));
    this.#writes = write.catch(() => {});
    await write;
    return await Promise.all(replies);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.conn.close();
    } catch {
      // already closed by the peer
    }
    await this.#reading;
  }

  async #readLoop(): Promise<void> {
    const chunk = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const n = await this.conn.read(chunk);
        if (n === null) break;
        const merged = new Uint8Array(this.#buffer.length + n);
        merged.set(this.#buffer);
        merged.set(chunk.subarray(0, n), this.#buffer.length);
        this.#buffer = merged;
        let offset = 0;
        while (offset < this.#buffer.length) {
          const reply = parseReply(this.#buffer, offset);
          if (reply === null) break;
          offset = reply[1];
          this.#waiting.shift()?.resolve(reply[0]);
        }
        this.#buffer = this.#buffer.slice(offset);
      }
    } catch (error) {
      if (!this.#closed) this.#failAll(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    this.#failAll(new Error("the Redis connection closed"));
  }

  #failAll(error: Error): void {
    this.#closed = true;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(error);
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}
