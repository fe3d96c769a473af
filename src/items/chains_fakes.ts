/** Fake chains for runChains tests: numbered items in pages, and chains that reveal others. */
import { type ChainPage, type ChainPosition, lazyPage } from "../contract/chains.ts";
import { makeItem } from "../contract/item.ts";

/**
 * Chains of `sizes[chain]` numbered items served in pages, recording each call; lazy pages map
 * their items when first read, and record that too.
 */
export function fakeChains(sizes: Record<string, number>, options: { lazy?: boolean } = {}) {
  const calls: string[] = [];
  const fetchPage = (position: ChainPosition, pageSize: number): Promise<ChainPage> => {
    const at = `${position.chain}@${position.cursor ?? 0}`;
    calls.push(`${at}/${pageSize}`);
    const start = Number(position.cursor ?? 0);
    const end = Math.min(start + pageSize, sizes[position.chain]);
    const numbers = Array.from({ length: end - start }, (_, i) => start + i);
    const toItems = (ns: readonly number[]) => {
      if (options.lazy) calls.push(`map ${at}`);
      return ns.map((i) =>
        makeItem({ id: `${position.chain}-${i}`, type: position.chain, name: `n${i}` })
      );
    };
    const next = end < sizes[position.chain] ? String(end) : null;
    return Promise.resolve(
      options.lazy ? lazyPage(numbers, toItems, { next }) : { items: toItems(numbers), next },
    );
  };
  return { calls, fetchPage };
}

/** Each chain named, from its start. */
export const starts = (...chains: string[]) => chains.map((chain) => ({ chain, cursor: null }));

/** A parent chain of 3 pages; each page reveals one child chain of 15 items. */
export function nestedFake() {
  const fetchPage = (position: ChainPosition, pageSize: number): Promise<ChainPage> => {
    if (position.chain === "parent") {
      const n = Number(position.cursor ?? 0);
      return Promise.resolve({
        items: [makeItem({ id: `p${n}`, type: "parent", name: `p${n}` })],
        next: n < 2 ? String(n + 1) : null,
        spawn: [{ chain: `child-${n}`, cursor: null, context: { parent: `p${n}` } }],
      });
    }
    const start = Number(position.cursor ?? 0);
    const end = Math.min(start + pageSize, 15);
    const items = [];
    for (let i = start; i < end; i++) {
      items.push(makeItem({
        id: `${position.context?.parent}-c${i}`,
        type: "child",
        name: `c${i}`,
      }));
    }
    return Promise.resolve({ items, next: end < 15 ? String(end) : null });
  };
  return fetchPage;
}
