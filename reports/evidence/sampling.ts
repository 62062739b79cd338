import { createHash } from 'node:crypto';

// Sampling that an auditor can re-perform without our code:
//   score(item) = SHA-256 of "<seed>\n<control id>\n<test id>\n<item id>" (hex), and the sample is the N items
//   with the lowest scores, in score order.
// This is a uniform random sample without replacement for a secret-free, recorded seed, independent of the order
// in which rows are read, and computed in one streaming pass with a bounded heap (memory O(N), not O(population)).

/**
 * Sample sizes by population size, after the AICPA audit guide's table for testing controls by frequency (a
 * control that operates on every access is tested by its number of occurrences in the period). Where the guide
 * gives a range we take a fixed point inside it, so the size is reproducible.
 */
export const SAMPLE_SIZE_TABLE: readonly { readonly min: number; readonly max: number; readonly frequency: string; readonly guidance: string; readonly size: number }[] = [
  { min: 1, max: 1, frequency: 'annual', guidance: '1', size: 1 },
  { min: 2, max: 4, frequency: 'quarterly', guidance: '2', size: 2 },
  { min: 5, max: 12, frequency: 'monthly', guidance: '2-5', size: 3 },
  { min: 13, max: 52, frequency: 'weekly', guidance: '5-15', size: 10 },
  { min: 53, max: 365, frequency: 'daily', guidance: '20-40', size: 25 },
  { min: 366, max: Number.POSITIVE_INFINITY, frequency: 'recurring (many times a day)', guidance: '25-60', size: 40 },
];

/** Sample size for a population (the table, or `override`), never more than the population. */
export function sampleSizeFor(population: number, override?: number): number {
  if (population <= 0) return 0;
  if (override !== undefined) return Math.min(population, Math.max(0, Math.trunc(override)));
  const row = SAMPLE_SIZE_TABLE.find((r) => population >= r.min && population <= r.max);
  return Math.min(population, row ? row.size : 40);
}

/** The selection score of one item (lower is selected first). */
export function sampleScore(seed: string, controlId: string, testId: string, itemId: string): string {
  return createHash('sha256').update(`${seed}\n${controlId}\n${testId}\n${itemId}`).digest('hex');
}

/** The default seed of a pack: derived from its framework and period, so the same request samples the same items. */
export function defaultSeed(framework: string, from: string, to: string): string {
  return createHash('sha256').update(`accessproof-sample\n${framework}\n${from}\n${to}`).digest('hex').slice(0, 16);
}

/** A bounded selector: keeps the `capacity` lowest-scored items seen so far. */
export interface Reservoir<T> {
  offer(score: string, item: T): void;
  /** The kept items in ascending score order. */
  result(): { score: string; item: T }[];
}

/** Max-heap of size `capacity` on score, so each offer costs O(log capacity). */
export function createReservoir<T>(capacity: number): Reservoir<T> {
  const heap: { score: string; item: T }[] = [];
  const swap = (i: number, j: number): void => { const t = heap[i] as { score: string; item: T }; heap[i] = heap[j] as { score: string; item: T }; heap[j] = t; };
  const up = (i: number): void => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((heap[p] as { score: string }).score >= (heap[i] as { score: string }).score) return;
      swap(i, p);
      i = p;
    }
  };
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && (heap[l] as { score: string }).score > (heap[m] as { score: string }).score) m = l;
      if (r < heap.length && (heap[r] as { score: string }).score > (heap[m] as { score: string }).score) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  return {
    offer(score, item) {
      if (capacity <= 0) return;
      if (heap.length < capacity) { heap.push({ score, item }); up(heap.length - 1); return; }
      if (score >= (heap[0] as { score: string }).score) return;
      heap[0] = { score, item };
      down(0);
    },
    result() {
      return [...heap].sort((a, b) => (a.score < b.score ? -1 : a.score > b.score ? 1 : 0));
    },
  };
}
