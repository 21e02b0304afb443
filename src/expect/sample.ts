// Which pairs a large lab's generated checks cover (pure). Every ordered pair of 50 pods is 2,450 pairs; of 10,000
// pods, 99,990,000 — more than a check run can send or even hold. Up to the budget every pair is checked; above it
// the pairs are chosen, deterministically: first one pair per ordered pair of nodes (each node to itself included,
// so same-node and cross-node paths are all covered), then pairs spread evenly over the rest, up to the budget.
import type { PodT } from '../model/topology.js';

/** Ordered pairs checked per family (pod-to-pod, node-to-pod, …) before sampling starts. */
export const MAX_PAIRS = 2_500;

export interface Picked<A, B> {
  readonly pairs: [A, B][];
  /** All pairs there are (minus a ≠ b when `distinct`). */
  readonly total: number;
}

/**
 * Pairs of `as` × `bs` (a !== b when distinct), at most `budget` of them (or one per node pair, if that is more).
 * `nodeOfA`/`nodeOfB` name the node each item is on (a node is on itself).
 */
export function pickPairs<A, B>(as: readonly A[], bs: readonly B[], nodeOfA: (a: A) => string, nodeOfB: (b: B) => string, budget = MAX_PAIRS, distinct = false): Picked<A, B> {
  const same = (a: A, b: B) => distinct && (a as unknown) === (b as unknown);
  const total = as.length * bs.length - (distinct ? Math.min(as.length, bs.length) : 0);
  if (total <= budget) {
    const pairs: [A, B][] = [];
    for (const a of as) for (const b of bs) if (!same(a, b)) pairs.push([a, b]);
    return { pairs, total };
  }
  const chosen = new Set<number>(); // index a * |bs| + b
  const pairs: [A, B][] = [];
  const take = (i: number, j: number) => {
    const k = i * bs.length + j;
    if (chosen.has(k) || same(as[i]!, bs[j]!)) return false;
    chosen.add(k);
    pairs.push([as[i]!, bs[j]!]);
    return true;
  };
  const group = <T>(xs: readonly T[], node: (x: T) => string) => {
    const m = new Map<string, number[]>();
    for (let i = 0; i < xs.length; i++) {
      const n = node(xs[i]!);
      let l = m.get(n);
      if (!l) m.set(n, (l = []));
      l.push(i);
    }
    return m;
  };
  const ga = group(as, nodeOfA);
  const gb = group(bs, nodeOfB);
  for (const ia of ga.values()) for (const ib of gb.values()) {
    // The first pair of this node pair that is not an item with itself.
    done: for (const i of ia.slice(0, 2)) for (const j of ib.slice(0, 2)) if (take(i, j)) break done;
  }
  // The rest, evenly spread over the index space (a stride coprime-ish to |bs| so sources and destinations both vary).
  const space = as.length * bs.length;
  const want = budget - pairs.length;
  if (want > 0) {
    const stride = Math.max(1, Math.floor(space / want)) | 1;
    for (let k = 0, n = 0; n < want && k < space; k++) {
      const idx = (k * stride) % space;
      if (take(Math.floor(idx / bs.length), idx % bs.length)) n++;
      if (k > 4 * want + 1000) break; // bounded, whatever the collisions
    }
  }
  return { pairs, total };
}

/** The skip entry that says what sampling left out, or undefined when every pair is checked. */
export function sampledSkip(category: string, what: string, p: Picked<unknown, unknown>, budget = MAX_PAIRS): { category: string; what: string; reason: string } | undefined {
  if (p.pairs.length >= p.total) return undefined;
  return {
    category, what: `${(p.total - p.pairs.length).toLocaleString('en-US')} of ${p.total.toLocaleString('en-US')} ${what}`,
    reason: `the lab is sampled above ${budget.toLocaleString('en-US')} pairs per family: ${p.pairs.length.toLocaleString('en-US')} checked (one per ordered pair of nodes, the rest spread evenly); declare a Check for any pair that matters`,
  };
}

export const podNode = (p: PodT): string => p.node;
