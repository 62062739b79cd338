import { describe, expect, it } from 'vitest';
import { createReservoir, defaultSeed, sampleScore, sampleSizeFor, SAMPLE_SIZE_TABLE } from '../../../reports/evidence/sampling.ts';

describe('sample size table', () => {
  it('follows the documented table at every boundary and never exceeds the population', () => {
    const cases: [number, number][] = [[0, 0], [1, 1], [2, 2], [4, 2], [5, 3], [12, 3], [13, 10], [52, 10], [53, 25], [365, 25], [366, 40], [200_000, 40]];
    for (const [population, size] of cases) expect(sampleSizeFor(population)).toBe(size);
    expect(SAMPLE_SIZE_TABLE.map((r) => r.size)).toEqual([1, 2, 3, 10, 25, 40]);
  });

  it('--sample-size overrides the table but is capped by the population', () => {
    expect(sampleSizeFor(1000, 60)).toBe(60);
    expect(sampleSizeFor(7, 60)).toBe(7);
    expect(sampleSizeFor(0, 60)).toBe(0);
  });
});

describe('seeded selection', () => {
  const items = Array.from({ length: 5000 }, (_, i) => `session-${i}`);
  const draw = (order: readonly string[], seed: string, n: number): string[] => {
    const r = createReservoir<string>(n);
    for (const id of order) r.offer(sampleScore(seed, 'CC6.1', 'privileged_mfa', id), id);
    return r.result().map((x) => x.item);
  };

  it('is the N lowest SHA-256 scores, whatever the order the population is read in', () => {
    const expected = [...items].sort((a, b) => (sampleScore('s1', 'CC6.1', 'privileged_mfa', a) < sampleScore('s1', 'CC6.1', 'privileged_mfa', b) ? -1 : 1)).slice(0, 40);
    expect(draw(items, 's1', 40)).toEqual(expected);
    expect(draw([...items].reverse(), 's1', 40)).toEqual(expected);
  });

  it('changes with the seed and the control, and the default seed is derived from the request', () => {
    expect(draw(items, 's1', 40)).not.toEqual(draw(items, 's2', 40));
    expect(sampleScore('s', 'CC6.1', 't', 'x')).not.toBe(sampleScore('s', 'CC6.6', 't', 'x'));
    expect(defaultSeed('soc2', '2025-03-01T00:00:00.000Z', '2025-04-01T00:00:00.000Z')).toBe(defaultSeed('soc2', '2025-03-01T00:00:00.000Z', '2025-04-01T00:00:00.000Z'));
    expect(defaultSeed('soc2', 'a', 'b')).not.toBe(defaultSeed('pci-dss', 'a', 'b'));
    expect(defaultSeed('soc2', 'a', 'b')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('truncating a larger draw gives the smaller draw (the builder draws 40 and keeps the table size)', () => {
    expect(draw(items, 's1', 40).slice(0, 10)).toEqual(draw(items, 's1', 10));
  });
});
