/** Structured log lines. Callers pass codes and ids, never tokens or secrets. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export type LogSink = (line: string) => void;

/** One JSON object per line, to the given sink (stdout by default). */
export function jsonLogger(sink: LogSink = (line) => console.log(line)): Logger {
  const write = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    sink(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }));
  return { info: write("info"), warn: write("warn"), error: write("error") };
}
