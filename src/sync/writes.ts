/**
 * A step's writes, gathered and sent together: on Upstash each setMany is one request (a
 * transaction), so a step costs a round trip or two whatever the number of chunks it wrote.
 */
import { type Store, type StoreWrite, WRITE_BATCH_BYTES } from "../store/store.ts";

export class WriteBatch {
  readonly #sets: StoreWrite[] = [];
  readonly #deletes: string[] = [];

  set(key: string, value: string, ttlMs?: number): this {
    this.#sets.push(ttlMs === undefined ? { key, value } : { key, value, ttlMs });
    return this;
  }

  setAll(writes: readonly StoreWrite[]): this {
    this.#sets.push(...writes);
    return this;
  }

  delete(keys: readonly string[]): this {
    this.#deletes.push(...keys);
    return this;
  }

  /** The writes in batches under WRITE_BATCH_BYTES, in order. */
  #batches(): StoreWrite[][] {
    const batches: StoreWrite[][] = [];
    let current: StoreWrite[] = [];
    let bytes = 0;
    for (const write of this.#sets) {
      const size = new TextEncoder().encode(write.value).length + write.key.length;
      if (current.length > 0 && bytes + size > WRITE_BATCH_BYTES) {
        batches.push(current);
        current = [];
        bytes = 0;
      }
      current.push(write);
      bytes += size;
    }
    if (current.length > 0) batches.push(current);
    return batches;
  }

  /** Store round trips `flush` takes. */
  get roundTrips(): number {
    return this.#batches().length + (this.#deletes.length > 0 ? 1 : 0);
  }

  /** Sends the writes (the last one lands after every other), then the deletions. */
  async flush(store: Store): Promise<void> {
    for (const batch of this.#batches()) await store.setMany(batch);
    if (this.#deletes.length > 0) await store.deleteMany(this.#deletes);
  }
}
