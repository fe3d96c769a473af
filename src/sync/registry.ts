/**
 * The connections synced in the background: one list in the store, changed under a short lock
 * so that two processes adding at once lose neither entry.
 */
import { z } from "zod";
import type { Owner } from "../connections/connections.ts";
import { parseJson } from "../json.ts";
import { keys } from "../store/keys.ts";
import { type Store, StoreUnavailableError } from "../store/store.ts";

const LOCK_MS = 5_000;
const LOCK_ATTEMPTS = 100;

const entriesSchema = z.array(
  z.object({ provider: z.string(), userId: z.string(), orgId: z.string() }),
);
export type RegistryEntry = z.infer<typeof entriesSchema>[number];

export class SyncRegistry {
  constructor(private readonly store: Store) {}

  async list(): Promise<RegistryEntry[]> {
    const raw = await this.store.get(keys.syncRegistry());
    const parsed = entriesSchema.safeParse(raw === null ? null : parseJson(raw));
    return parsed.success ? parsed.data : [];
  }

  add(provider: string, owner: Owner): Promise<void> {
    return this.#change((entries) => [
      ...entries.filter((e) => !same(e, provider, owner)),
      { provider, userId: owner.userId, orgId: owner.orgId },
    ]);
  }

  async remove(provider: string, owner: Owner): Promise<void> {
    if (!(await this.list()).some((e) => same(e, provider, owner))) return;
    await this.#change((entries) => entries.filter((e) => !same(e, provider, owner)));
  }

  async #change(change: (entries: RegistryEntry[]) => RegistryEntry[]): Promise<void> {
    const holder = crypto.randomUUID();
    const lock = keys.syncRegistryLock();
    for (let attempt = 0; attempt < LOCK_ATTEMPTS; attempt++) {
      if (await this.store.setIfAbsent(lock, holder, LOCK_MS)) {
        try {
          await this.store.set(keys.syncRegistry(), JSON.stringify(change(await this.list())));
          return;
        } finally {
          await this.store.deleteIfEquals(lock, holder);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 30));
    }
    throw new StoreUnavailableError("The sync registry stayed locked; try again.");
  }
}

function same(entry: RegistryEntry, provider: string, owner: Owner): boolean {
  return entry.provider === provider && entry.userId === owner.userId &&
    entry.orgId === owner.orgId;
}
