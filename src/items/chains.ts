import { ProviderError } from "../errors.ts";
import type { ChainPage, ChainPosition } from "../contract/chains.ts";
import type { IntegrationItem } from "../contract/item.ts";

export interface ChainRun {
  positions: ChainPosition[];
  /** Most items to gather; null gathers everything. */
  limit: number | null;
  /** Most provider page requests to make (a Worker's subrequest limit); null for no bound. */
  callBudget: number | null;
  maxPageSize: number;
  fetchPage: (position: ChainPosition, pageSize: number) => Promise<ChainPage>;
  /**
   * Every rate-limit group is dealt as many shares (see `itemShares`): for a run of many
   * limited steps (a sync). A live answer keeps to its limit, so the same account pages the
   * same way.
   */
  evenGroups?: boolean;
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
  const quotas = itemShares(run.limit, run.positions, run.maxPageSize, run.evenGroups ?? false);
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
 * A share dealt to one chain is never smaller than this (or a whole page): enough to mix the
 * chains of a small limit, not so small that calls multiply.
 */
const MIN_SHARE = 25;

/**
 * Splits an item limit between chains in shares of up to a provider page, so that a limit
 * shared by many chains does not shrink every request to a few items, while a limit smaller
 * than a page per group still mixes the groups (HubSpot's contacts, companies and deals on one
 * page). Shares are dealt one at a time, round robin across groups (chains sharing a rate limit)
 * and then across each group's chains; the last share dealt is trimmed to the limit, chains
 * dealt none wait for a later answer.
 *
 * With `evenGroups` (a sync's steps) and rate-limit groups, every group gets as many shares,
 * spread over its chains in turn, and the limit is rounded up to whole rounds (less than
 * twice the limit, since there are no more groups than shares): a step waits
 * for its slowest group, so uneven shares (1,000 items over 4 Airtable bases: 3, 3, 2, 2
 * pages) would leave the other groups idle at every step (1.22x the rate limit's bound,
 * against 1.10x with 3 pages each).
 */
function itemShares(
  limit: number | null,
  positions: readonly ChainPosition[],
  pageSize: number,
  evenGroups = false,
): number[] {
  if (limit === null || limit === Infinity) return shares(null, positions.length);
  const groups = new Map<string, number[]>();
  positions.forEach((p, i) => {
    const key = p.group ?? `#${i}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const lists = [...groups.values()];
  const unit = Math.min(pageSize, Math.max(MIN_SHARE, Math.ceil(limit / lists.length)));
  const quotas = new Array<number>(positions.length).fill(0);
  const slots = Math.ceil(limit / unit);
  // More groups than shares: one each would overshoot the limit many times; dealt as live.
  if (evenGroups && positions.some((p) => p.group !== undefined) && lists.length <= slots) {
    const perGroup = Math.ceil(slots / lists.length);
    for (const list of lists) {
      for (let share = 0; share < perGroup; share++) quotas[list[share % list.length]] += unit;
    }
    return quotas;
  }
  const order: number[] = [];
  for (let round = 0; order.length < positions.length; round++) {
    for (const list of lists) if (round < list.length) order.push(list[round]);
  }
  const dealt = new Array<number>(positions.length).fill(0);
  for (let slot = 0; slot < slots; slot++) dealt[order[slot % order.length]]++;
  let left = limit;
  for (const i of order) {
    quotas[i] = Math.min(dealt[i] * unit, left);
    left -= quotas[i];
  }
  return quotas;
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
  let sent: Promise<ChainPage> | null = null;
  while (position !== null && items.length < allowance.items && calls < allowance.calls) {
    seen.add(position.cursor);
    calls++;
    const pageSize = Math.min(run.maxPageSize, allowance.items - items.length);
    const page: ChainPage = await (sent ?? run.fetchPage(position, pageSize));
    sent = null;
    for (const child of page.spawn ?? []) {
      if (allowance.bounded) waiting.push(child);
      else revealed.push(followChain(run, child, allowance));
    }
    if (page.next !== null && seen.has(page.next)) {
      throw new ProviderError("The provider returned the same page cursor twice; stopping.");
    }
    position = page.next === null ? null : { ...position, cursor: page.next };
    // The next request leaves before this page is mapped when its size cannot depend on this
    // page: what is left of the allowance after even `size` more items still covers a full page.
    const itemsAtMost = items.length + (page.size ?? Infinity);
    if (
      position !== null && calls < allowance.calls &&
      allowance.items - itemsAtMost >= run.maxPageSize
    ) {
      sent = run.fetchPage(position, run.maxPageSize);
      sent.catch(() => {}); // awaited by the next turn; this only silences the wait
      await new Promise((resolve) => setTimeout(resolve, 0)); // let the request leave first
    }
    items.push(...page.items);
  }
  if (position === null && waiting.length > 0) {
    // A finished chain hands what is left of its allowance to the chains it revealed, in fixed
    // shares: a small account still comes in one answer, and the pages stay deterministic.
    const itemsLeft = itemShares(allowance.items - items.length, waiting, run.maxPageSize);
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
