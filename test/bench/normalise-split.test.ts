import { describe, expect, it } from 'vitest';
import { BENCH_SOURCES, generateCorpus } from '../../bench/corpus/index.ts';
import { measureNormaliseSplit, SPLIT_PIECES } from '../../bench/normalise-split.ts';

describe('normalise split', () => {
  it('times every production piece of each source on a real batch, in the pipeline order', () => {
    const corpus = generateCorpus(7, 60);
    for (const source of BENCH_SOURCES) {
      const split = measureNormaliseSplit(corpus.messages[source], 50, 2, () => undefined);
      expect(split.records, source).toBe(50);
      // Every record of the corpus maps to events (CloudTrail drops its read-only calls).
      expect(split.events, source).toBeGreaterThan(0);
      expect(split.events, source).toBeLessThanOrEqual(50 * 2);
      for (const piece of [...SPLIT_PIECES, 'whole'] as const) {
        expect(Number.isFinite(split.us_per_record[piece]), `${source} ${piece}`).toBe(true);
      }
      expect(split.us_per_record.whole, source).toBeGreaterThan(0);
    }
  });
});
