import { ProviderError } from "../errors.ts";
import type { ChainPage, ChainPosition } from "../providers/spec.ts";
import type { IntegrationItem } from "./item.ts";

export interface ChainRun {
  positions: ChainPosition[];
  /** Most items to gather; null gathers everything. */
  limit: number | null;
  /** Most provider page requests to make (a Worker's subrequest limit); null for no bound. */
  callBudget: number | null;
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
 * With a limit or a call budget, each starting chain gets a fixed share of both, and the chains
 * it reveals get fixed shares of what it leaves, so the same cursor always gives the same page
 * whatever the timing. Items come out in chain order, a chain's revealed chains after its own.
 */
export async function runChains(run: ChainRun): Promise<ChainResult> {
  const quotas = itemShares(run.limit, run.positions.length, run.maxPageSize);
  const budgets = shares(run.callBudget, run.positions.length);
  const bounded = run.limit !== null || run.callBudget !== null;
  const results = await Promise.all(
    run.positions.map((position, i) =>
      followChain(run, position, { items: quotas[i], calls: budgets[i], bounded })
    ),
  );
  return {
    items: results.flatMap((r) => r.items),
    remaining: results.flatMap((r) => r.remaining),
  };
}

/**
 * Splits an item limit between chains in whole provider pages, so that a limit shared by many
 * chains does not shrink every request to a few items: the first chains get full pages, the
 * last share is trimmed to the limit, chains past it get none this time.
 */
function itemShares(limit: number | null, count: number, pageSize: number): number[] {
  if (limit === null || limit === Infinity) return shares(null, count);
  const pages = shares(Math.ceil(limit / pageSize), count);
  let left = limit;
  return pages.map((n) => {
    const quota = Math.min(n * pageSize, left);
    left -= quota;
    return quota;
  });
}

/** Splits a total into `count` fixed shares, the first ones one larger; null is unbounded. */
function shares(total: number | null, count: number): number[] {
  return Array.from(
    { length: count },
    (_, i) =>
      total === null || total === Infinity
        ? Infinity
        : Math.floor(total / count) + (i < total % count ? 1 : 0),
  );
}

interface Allowance {
  items: number;
  calls: number;
  /** Revealed chains wait for a later page instead of running now. */
  bounded: boolean;
}

async function followChain(
  run: ChainRun,
  start: ChainPosition,
  allowance: Allowance,
): Promise<ChainResult> {
  const items: IntegrationItem[] = [];
  const revealed: Promise<ChainResult>[] = [];
  const waiting: ChainPosition[] = [];
  let position: ChainPosition | null = start;
  let calls = 0;
  const seen = new Set<string | null>();
  while (position !== null && items.length < allowance.items && calls < allowance.calls) {
    seen.add(position.cursor);
    calls++;
    const pageSize = Math.min(run.maxPageSize, allowance.items - items.length);
    const page = await run.fetchPage(position, pageSize);
    items.push(...page.items);
    for (const child of page.spawn ?? []) {
      if (allowance.bounded) waiting.push(child);
      else revealed.push(followChain(run, child, allowance));
    }
    if (page.next !== null && seen.has(page.next)) {
      throw new ProviderError("The provider returned the same page cursor twice; stopping.");
    }
    position = page.next === null ? null : { ...position, cursor: page.next };
  }
  if (position === null && waiting.length > 0) {
    // A finished chain hands what is left of its allowance to the chains it revealed, in fixed
    // shares: a small account still comes in one answer, and the pages stay deterministic.
    const itemsLeft = itemShares(allowance.items - items.length, waiting.length, run.maxPageSize);
    const callShares = shares(allowance.calls - calls, waiting.length);
    waiting.forEach((child, i) => {
      if (itemsLeft[i] > 0 && callShares[i] > 0) {
        revealed.push(
          followChain(run, child, { ...allowance, items: itemsLeft[i], calls: callShares[i] }),
        );
      } else {
        revealed.push(Promise.resolve({ items: [], remaining: [child] }));
      }
    });
    waiting.length = 0;
  }
  const children = await Promise.all(revealed);
  return {
    items: [...items, ...children.flatMap((c) => c.items)],
    remaining: [
      ...(position === null ? [] : [position]),
      ...waiting,
      ...children.flatMap((c) => c.remaining),
    ],
  };
}
