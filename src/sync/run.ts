/** What one run of a sync works with, shared by its steps (none of it survives the run). */
import type { Owner } from "../connections/connections.ts";
import type { ItemsService } from "../items/list_items.ts";
import type { IntegrationItem } from "../contract/item.ts";
import type { Logger } from "../log.ts";
import type { ActiveProvider } from "../providers/registry.ts";
import type { ProviderApi } from "../contract/calls.ts";
import type { ListingContext } from "../contract/chains.ts";
import { keys } from "../store/keys.ts";
import type { Store } from "../store/store.ts";
import type { ChangeLog } from "./changes.ts";
import type { CopyStore } from "./copy.ts";
import type { FeedStage, StagedChanges } from "./feed_stage.ts";
import type { SyncStatus } from "./status.ts";
import type { WriteBatch } from "./writes.ts";
import type { Checkpoint } from "./checkpoint.ts";

export interface SyncDeps {
  store: Store;
  items: ItemsService;
  clock: () => number;
  log?: Logger;
  /** Outlives a step comfortably; a dead holder's lease lapses after this (SYNC_LEASE_SECONDS). */
  leaseMs: number;
}

export interface Run {
  deps: SyncDeps;
  provider: ActiveProvider;
  owner: Owner;
  key: string;
  generation: number;
  log: Logger;
  /** The status when the run began. */
  before: SyncStatus;
  copy: CopyStore;
  changeLog: ChangeLog;
  stage: FeedStage;
  /** For a full listing: the previous copy's content hashes by id, and the ids copied so far. */
  compare: FullCompare | null;
  /** For a merge: the staged changes. */
  staged: StagedChanges | null;
  feedApi: { api: ProviderApi; context: ListingContext } | null;
}

export interface FullCompare {
  previous: Map<string, string>;
  copied: Set<string>;
  /**
   * Every item known by id (the previous copy's, overwritten by this listing's), as a parent
   * for items listed in another step; null for a provider that links no parents.
   */
  known: Map<string, IntegrationItem> | null;
}

/** A step's outcome: where the sync stands after it, and what it has to write for that. */
export interface StepResult {
  checkpoint: Checkpoint;
  writes: WriteBatch;
}

/** The key under which everything about one connection's sync lives. */
export function syncKey(provider: string, owner: Owner): string {
  return keys.sync(provider, owner.orgId, owner.userId);
}

/** A stable fingerprint of an item: two items with the same one are the same item. */
export function fingerprint(item: IntegrationItem): string {
  return JSON.stringify(item);
}

export function checkpointKey(key: string): string {
  return `${key}:checkpoint`;
}

export function metaKey(key: string, generation: number): string {
  return `${key}:meta:${generation}`;
}
