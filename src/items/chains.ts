import { ProviderError } from "../errors.ts";
import type { ChainPage, ChainPosition } from "../providers/spec.ts";
import type { IntegrationItem } from "./item.ts";

export interface ChainRun {
  positions: ChainPosition[];
  /** Most items to gather; null gathers everything. */
  limit: number | null;
  maxPageSize: number;
  fetchPage: (position: ChainPosition, pageSize: number) => Promise<ChainPage>;
}

export interface ChainResult {
  items: IntegrationItem[];
  /** Chains not finished, in their original order: the next cursor. */
  remaining: ChainPosition[];
}

/**
 * Runs independent cursor chains concurrently; each chain follows its own pages one after the
 * other. With a limit, each chain gets a fixed share of it, so the same cursor always gives the
 * same page whatever the timing. Items come out grouped by chain, in chain order.
 */
export async function runChains(run: ChainRun): Promise<ChainResult> {
  const count = run.positions.length;
  const quotas = run.positions.map((_, i) =>
    run.limit === null
      ? Infinity
      : Math.floor(run.limit / count) + (i < run.limit % count ? 1 : 0)
  );
  const results = await Promise.all(
    run.positions.map((position, i) => followChain(run, position, quotas[i])),
  );
  return {
    items: results.flatMap((r) => r.items),
    remaining: results.flatMap((r) => r.remaining === null ? [] : [r.remaining]),
  };
}

async function followChain(
  run: ChainRun,
  start: ChainPosition,
  quota: number,
): Promise<{ items: IntegrationItem[]; remaining: ChainPosition | null }> {
  const items: IntegrationItem[] = [];
  let position: ChainPosition = start;
  const seen = new Set<string | null>();
  while (items.length < quota) {
    seen.add(position.cursor);
    const page = await run.fetchPage(position, Math.min(run.maxPageSize, quota - items.length));
    items.push(...page.items);
    if (page.next === null) return { items, remaining: null };
    if (seen.has(page.next)) {
      throw new ProviderError("The provider returned the same page cursor twice; stopping.");
    }
    position = { chain: position.chain, cursor: page.next };
  }
  return { items, remaining: position };
}
