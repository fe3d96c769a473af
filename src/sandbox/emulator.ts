/** What every sandbox does around its endpoints: injected faults, added latency, PKCE. */

/** A canned answer a test puts in front of the next request of a kind. */
export interface InjectedFault {
  status: number;
  /** The provider's own error body for the status when left out (each sandbox's own shape). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long first (a slow or hanging provider); ends early if the client goes away. */
  delayMs?: number;
}

/** Faults waiting for the next requests, per kind of endpoint ("token", "api", "crm"). */
export type FaultQueues<Kind extends string> = Record<Kind, InjectedFault[]>;

/** Queues `times` copies of a fault in front of the next requests of a kind. */
export function queueFault<Kind extends string>(
  queues: FaultQueues<Kind>,
  kind: Kind,
  fault: InjectedFault,
  times = 1,
): void {
  for (let i = 0; i < times; i++) queues[kind].push(fault);
}

/**
 * Waits `ms`, or less when the request's client gives up (so a hanging fault cannot keep the
 * server from shutting down). The signal is only touched when there is a wait.
 */
export function pause(ms: number, request?: Request): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  const signal = request?.signal;
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** PKCE S256: base64url(sha256(verifier)) without padding. */
export async function s256(verifier: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)),
  );
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
