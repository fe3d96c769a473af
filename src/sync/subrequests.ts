/**
 * Subrequests: on Workers every Upstash command and every provider call is one, and one
 * invocation may send at most 50 (free plan). The hub counts both at its two seams (the store,
 * the providers' fetch); a sync run measures what it spent against one budget from that count,
 * pacer round trips included (they are store commands).
 */
import type { Fetch } from "../contract/calls.ts";
import type { Store } from "../store/store.ts";

/** Subrequests this process (or isolate) has sent so far. */
export class SubrequestCounter {
  sent = 0;
}

/**
 * The store, each command counted as one subrequest: an upper bound on Upstash, where commands
 * sent together may share one request.
 */
export function countedStore(store: Store, counter: SubrequestCounter): Store {
  const count = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => (...args: A) => {
    counter.sent++;
    return fn(...args);
  };
  return {
    kind: store.kind,
    get: count(store.get),
    getMany: count(store.getMany),
    set: count(store.set),
    setIfAbsent: count(store.setIfAbsent),
    take: count(store.take),
    delete: count(store.delete),
    setMany: count(store.setMany),
    deleteMany: count(store.deleteMany),
    deleteIfEquals: count(store.deleteIfEquals),
    replaceIfEquals: count(store.replaceIfEquals),
    pace: count(store.pace),
    ping: count(store.ping),
  };
}

/** The providers' fetch, each request counted (token calls too). */
export function countedFetch(fetch: Fetch, counter: SubrequestCounter): Fetch {
  return (input, init) => {
    counter.sent++;
    return fetch(input, init);
  };
}

/**
 * What one invocation may spend, counted from when it began. Other work of the same isolate
 * (a concurrent request) counts against it too: the budget errs on the side of stopping early.
 */
export class SubrequestBudget {
  readonly #start: number;

  constructor(private readonly counter: SubrequestCounter, readonly limit: number) {
    this.#start = counter.sent;
  }

  get spent(): number {
    return this.counter.sent - this.#start;
  }

  get left(): number {
    return this.limit - this.spent;
  }

  fits(cost: number): boolean {
    return cost <= this.left;
  }
}
