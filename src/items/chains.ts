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
  /** Chains not finished, in order: the next cursor. */
  remaining: ChainPosition[];
}

/**
 * Runs independent cursor chains concurrently; each chain follows its own pages one after the
 * other, and chains a page reveals (an Airtable base's tables) start as soon as they are known.
 * With a limit, each starting chain gets a fixed share of it and revealed chains wait for the
 * next page, so the same cursor always gives the same page whatever the timing. Items come out
 * in chain order, a chain's revealed chains after its own items.
 */
export async function runChains(run: ChainRun): Promise<ChainResult> {
  const count = run.positions.length;
  const quotas = run.positions.map((_, i) =>
    run.limit === null ? Infinity : Math.floor(run.limit / count) + (i < run.limit % count ? 1 : 0)
  );
  const results = await Promise.all(
    run.positions.map((position, i) => followChain(run, position, quotas[i])),
  );
  return {
    items: results.flatMap((r) => r.items),
    remaining: results.flatMap((r) => r.remaining),
  };
}

async function followChain(
  run: ChainRun,
  start: ChainPosition,
  quota: number,
): Promise<ChainResult> {
  const items: IntegrationItem[] = [];
  const revealed: Promise<ChainResult>[] = [];
  const waiting: ChainPosition[] = [];
  let position: ChainPosition | null = start;
  const seen = new Set<string | null>();
  while (position !== null && items.length < quota) {
    seen.add(position.cursor);
    const page = await run.fetchPage(position, Math.min(run.maxPageSize, quota - items.length));
    items.push(...page.items);
    for (const child of page.spawn ?? []) {
      if (quota === Infinity) revealed.push(followChain(run, child, Infinity));
      else waiting.push(child);
    }
    if (page.next !== null && seen.has(page.next)) {
      throw new ProviderError("The provider returned the same page cursor twice; stopping.");
    }
    position = page.next === null ? null : { ...position, cursor: page.next };
  }
  const children = await Promise.all(revealed);
  return {
    items: [...items, ...children.flatMap((c) => c.items)],
    remaining: [...(position === null ? [] : [position]), ...waiting],
  };
}
