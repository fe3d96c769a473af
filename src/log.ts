/** Structured log lines. Callers pass codes and ids, never tokens, codes, cookies or query values. */
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

/** A logger that adds `fields` (a request id, say) to every line. */
export function withFields(log: Logger, fields: Record<string, unknown>): Logger {
  return {
    info: (message, more) => log.info(message, { ...fields, ...more }),
    warn: (message, more) => log.warn(message, { ...fields, ...more }),
    error: (message, more) => log.error(message, { ...fields, ...more }),
  };
}

/** For parts built without a logger (unit tests): writes nothing. */
export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
