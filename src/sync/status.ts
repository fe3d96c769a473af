/** A connection's sync status: what the status object's `sync` says, kept in the store. */
import { z } from "zod";
import { parseJson } from "../json.ts";
import type { Store } from "../store/store.ts";

export const syncStateSchema = z.enum(["never", "running", "ok", "failed"]);
export type SyncState = z.infer<typeof syncStateSchema>;

const storedStatusSchema = z.object({
  v: z.literal(1),
  state: syncStateSchema,
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** When the copy last became complete and current. */
  syncedAt: z.string().nullable(),
  items: z.number().nullable(),
  /** Items in the copy per type. */
  types: z.record(z.string(), z.number()).nullable().default(null),
  progress: z.object({ done: z.number(), total: z.number().nullable() }).nullable(),
  lastError: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** The complete copy that reads are served from; null before the first sync completes. */
  generation: z.number().nullable(),
  /** That generation's chunks: with `items`, what sizes a listing's first read of it. */
  chunks: z.number().nullable().default(null),
  /** Where the provider's change feed stands after the copy: the next sync reads from it. */
  watermark: z.record(z.string(), z.string()).nullable().default(null),
  /** When the last full listing began (epoch ms): a sync long after it lists fully again. */
  listedAt: z.number().nullable().default(null),
});
export type SyncStatus = z.infer<typeof storedStatusSchema>;

export const NEVER_SYNCED: SyncStatus = {
  v: 1,
  state: "never",
  startedAt: null,
  finishedAt: null,
  syncedAt: null,
  items: null,
  types: null,
  progress: null,
  lastError: null,
  generation: null,
  chunks: null,
  watermark: null,
  listedAt: null,
};

export async function readStatus(store: Store, key: string): Promise<SyncStatus> {
  return parseStatus(await store.get(`${key}:status`));
}

export function parseStatus(raw: string | null): SyncStatus {
  const parsed = storedStatusSchema.safeParse(raw === null ? null : parseJson(raw));
  return parsed.success ? parsed.data : NEVER_SYNCED;
}

/** Items a chunk of the served generation holds (rounded down), when the status knows. */
export function perChunkOf(status: SyncStatus): number | undefined {
  if (status.items === null || status.chunks === null || status.chunks === 0) return undefined;
  return Math.max(1, Math.floor(status.items / status.chunks));
}

export async function writeStatus(store: Store, key: string, status: SyncStatus): Promise<void> {
  await store.set(`${key}:status`, JSON.stringify(status));
}

/** The contract's `sync` field of the status object. */
export interface SyncView {
  state: SyncState;
  started_at: string | null;
  finished_at: string | null;
  synced_at: string | null;
  items: number | null;
  progress: { done: number; total: number | null } | null;
  last_error: { code: string; message: string } | null;
}

export function syncView(status: SyncStatus): SyncView {
  return {
    state: status.state,
    started_at: status.startedAt,
    finished_at: status.finishedAt,
    synced_at: status.syncedAt,
    items: status.items,
    progress: status.progress,
    last_error: status.lastError,
  };
}
