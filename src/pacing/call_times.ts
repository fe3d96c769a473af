/**
 * What one process knows of its own provider calls, per pace scope: when they really left (so
 * a call that left late holds back the call a window after it) and how long their answers
 * took (so slots allow for calls that reach the provider unevenly).
 */
import type { PaceScope } from "../store/store.ts";

/** How many recent bursts per scope tell how unevenly calls reach the provider. */
const RECENT_BURSTS = 20;
/**
 * Fewer answers than this, or a single burst, tell too little: calls are taken to arrive
 * COLD_SPREAD_MS apart.
 */
const KNOWN_ANSWERS = 5;
const COLD_SPREAD_MS = 100;
/** Calls that leave within this of each other are one burst: they reach the provider together. */
const BURST_MS = 10;
/** An answer can still join one of this many latest bursts (answers come back out of order). */
const OPEN_BURSTS = 4;
/** Times are kept for this many scopes at most, and send times this long after the last call. */
const MAX_SCOPES = 1000;
const FORGET_SENT_MS = 60_000;

/** Calls this process sent together, and how soon the quickest of them was answered. */
interface Burst {
  sentAt: number;
  quickestMs: number;
}

export class CallTimes {
  /** When this process's recent calls really left, ascending, per scope key. */
  readonly #sent = new Map<string, number[]>();
  /** The bursts this process's recent calls under a scope went in, and how many answered. */
  readonly #answers = new Map<string, { bursts: Burst[]; answered: number }>();
  /** The latest bursts, newest last: an answer joins the one its call left with. */
  readonly #openBursts: Burst[] = [];

  constructor(private readonly clock: () => number) {}

  /**
   * Notes how long the provider took to answer a call under `scopes` that left at `sentAt`.
   * Calls leave on time but reach the provider unevenly (the way there, a busy provider or
   * machine): how unevenly recent bursts were answered bounds how much later than another a
   * call may arrive. A burst counts by its quickest answer: the others waited behind it at the
   * provider (for its work, after it had counted them), whichever scopes they were under.
   */
  noteAnswered(scopes: readonly PaceScope[], sentAt: number, ms: number): void {
    let burst = this.#openBursts.find((b) => Math.abs(sentAt - b.sentAt) <= BURST_MS);
    if (burst === undefined) {
      burst = { sentAt, quickestMs: ms };
      this.#openBursts.push(burst);
      if (this.#openBursts.length > OPEN_BURSTS) this.#openBursts.shift();
    }
    burst.quickestMs = Math.min(burst.quickestMs, ms);
    for (const scope of scopes) {
      const known = this.#answers.get(scope.key) ?? { bursts: [], answered: 0 };
      known.answered++;
      if (!known.bursts.includes(burst)) known.bursts.push(burst);
      if (known.bursts.length > RECENT_BURSTS) known.bursts.shift();
      // Delete then set: the map stays in the order of last use, oldest first.
      this.#answers.delete(scope.key);
      this.#answers.set(scope.key, known);
    }
    for (const key of this.#answers.keys()) {
      if (this.#answers.size <= MAX_SCOPES) break;
      this.#answers.delete(key);
    }
  }

  /**
   * How much later than the earliest a call under `scopes` may reach the provider: the spread
   * of their recent bursts' quickest answers, or COLD_SPREAD_MS while too few are known (a
   * process just started, a base not called yet).
   */
  arrivalSpreadMs(scopes: readonly PaceScope[]): number {
    let spread = 0;
    for (const scope of scopes) {
      const known = this.#answers.get(scope.key);
      const quickest = known?.bursts.map((b) => b.quickestMs) ?? [];
      spread = Math.max(
        spread,
        (known?.answered ?? 0) < KNOWN_ANSWERS || quickest.length < 2
          ? COLD_SPREAD_MS
          : Math.max(...quickest) - Math.min(...quickest),
      );
    }
    return spread;
  }

  /**
   * How long a call must still wait to keep `sends`' spacing from the calls this process
   * really sent: one that left late holds back the call a window after it, so the two do not
   * reach the provider too close together (the store only knows when slots were to start).
   */
  holdMs(sends: readonly PaceScope[]): number {
    const now = this.clock();
    let hold = 0;
    for (const scope of sends) {
      const sent = this.#sent.get(scope.key) ?? [];
      if (sent.length < scope.requests) continue;
      hold = Math.max(hold, sent[sent.length - scope.requests] + scope.windowMs - now);
    }
    return hold;
  }

  /** Notes a call leaving now under `sends`; keeps a window of them per scope. */
  noteSent(sends: readonly PaceScope[]): void {
    const now = this.clock();
    for (const scope of sends) {
      const sent = (this.#sent.get(scope.key) ?? []).filter((t) => t > now - scope.windowMs);
      let at = sent.length;
      while (at > 0 && sent[at - 1] > now) at--;
      sent.splice(at, 0, now);
      // Delete then set: the map stays in the order of last use, oldest first.
      this.#sent.delete(scope.key);
      this.#sent.set(scope.key, sent);
    }
    // Scopes not called for a while (other connections, other bases) are forgotten.
    for (const [key, sent] of this.#sent) {
      if (this.#sent.size <= MAX_SCOPES && sent.at(-1)! > now - FORGET_SENT_MS) break;
      this.#sent.delete(key);
    }
  }
}
