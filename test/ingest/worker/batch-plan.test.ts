import { describe, expect, it } from 'vitest';
import { chunkToken, messageFingerprint, planBatch, type InsertStep, type PlanInput, type RangeRecord } from '../../../ingest/worker/batch-plan.ts';

const range = (from: number, to: number): bigint[] => Array.from({ length: to - from + 1 }, (_, i) => BigInt(from + i));
const fp = (o: bigint): string => `fp${String(o)}`;
const input = (offsets: bigint[], prior?: RangeRecord, chunkSize = 25, fingerprint: (o: bigint) => string = fp): PlanInput => {
  const present = new Set(offsets);
  return { offsets, prior, chunkSize, fingerprintAt: (o) => (present.has(o) ? fingerprint(o) : undefined) };
};
const recorded = (first: number, last: number, epoch = 0, chunk_size = 25): RangeRecord => ({
  epoch, first: BigInt(first), last: BigInt(last), chunk_size, first_fp: fp(BigInt(first)), last_fp: fp(BigInt(last)),
});
const inserts = (steps: readonly { kind: string }[]): InsertStep[] => steps.filter((s): s is InsertStep => s.kind === 'insert');
const bounds = (steps: readonly { kind: string }[]): string[] =>
  inserts(steps).map((s) => `${String(s.first)}-${String(s.last)}${s.verify ? ' verify' : ''}`);

describe('planBatch', () => {
  it('records a new range before inserting it in chunks of chunk_size offsets', () => {
    const plan = planBatch(input(range(0, 59)));
    expect(plan.mode).toBe('new');
    expect(plan.steps[0]).toEqual({ kind: 'record', range: { epoch: 0, first: 0n, last: 59n, chunk_size: 25, first_fp: 'fp0', last_fp: 'fp59' } });
    expect(bounds(plan.steps)).toEqual(['0-24', '25-49', '50-59']);
    expect(inserts(plan.steps).map((s) => [s.from, s.to])).toEqual([[0, 25], [25, 50], [50, 60]]);
  });

  it('continues the epoch after a committed range', () => {
    const plan = planBatch(input(range(100, 130), recorded(0, 99, 3)));
    expect(plan.mode).toBe('continue');
    expect(plan.steps[0]).toMatchObject({ kind: 'record', range: { epoch: 3, first: 100n, last: 130n } });
    expect(bounds(plan.steps)).toEqual(['100-124', '125-130']);
  });

  it('re-delivery of the recorded range reproduces its bounds, records nothing new and verifies every chunk', () => {
    const plan = planBatch(input(range(0, 59), recorded(0, 59)));
    expect(plan.mode).toBe('replay');
    expect(plan.steps.every((s) => s.kind === 'insert')).toBe(true);
    expect(bounds(plan.steps)).toEqual(['0-24 verify', '25-49 verify', '50-59 verify']);
  });

  it('a longer re-delivery first extends the record (never replaces it), then verifies only what was recorded before', () => {
    const plan = planBatch(input(range(0, 80), recorded(0, 59), 30));
    // The extension is recorded before anything is written: a crash during the replay still finds offsets 0..59.
    expect(plan.steps[0]).toEqual({ kind: 'record', range: { epoch: 0, first: 0n, last: 80n, chunk_size: 25, first_fp: 'fp0', last_fp: 'fp80' } });
    expect(bounds(plan.steps)).toEqual(['0-24 verify', '25-49 verify', '50-74 verify', '75-80']);
  });

  it('a crash after extending the record leaves the whole attempted range to verify', () => {
    const extended: RangeRecord = { ...recorded(0, 59), last: 80n, last_fp: 'fp80' };
    const plan = planBatch(input(range(0, 100), extended));
    expect(plan.mode).toBe('replay');
    expect(bounds(plan.steps)).toEqual(['0-24 verify', '25-49 verify', '50-74 verify', '75-99 verify', '100-100']);
  });

  it('a shorter re-delivery verifies what it holds; the next batch continues inside the recorded range', () => {
    const prior = recorded(0, 99);
    const short = planBatch(input(range(0, 59), prior));
    expect(short.steps.some((s) => s.kind === 'record')).toBe(false);
    expect(bounds(short.steps)).toEqual(['0-24 verify', '25-49 verify', '50-59 verify']);
    const inside = planBatch(input(range(60, 70), prior));
    expect(inside.mode).toBe('replay');
    expect(bounds(inside.steps)).toEqual(['60-70 verify']);
    const rest = planBatch(input(range(60, 150), prior));
    expect(bounds(rest.steps)).toEqual(['60-74 verify', '75-99 verify', '100-124', '125-149', '150-150']);
  });

  it('offsets before the recorded range (a reset for replay, or a re-created topic) start a new epoch', () => {
    const plan = planBatch(input(range(0, 10), recorded(500, 600, 2)));
    expect(plan.mode).toBe('rewind');
    expect(plan.steps[0]).toMatchObject({ kind: 'record', range: { epoch: 3, first: 0n, last: 10n } });
    expect(inserts(plan.steps).every((s) => s.epoch === 3 && !s.verify)).toBe(true);
  });

  it('different bytes at a recorded offset (re-created topic) start a new epoch instead of replaying', () => {
    const plan = planBatch(input(range(0, 59), recorded(0, 59), 25, (o) => `other${String(o)}`));
    expect(plan.mode).toBe('rewind');
    expect(inserts(plan.steps).every((s) => s.epoch === 1)).toBe(true);
  });

  it('holes in the offsets keep the grid cells: aligned chunks take the cell bounds', () => {
    const offsets = [0n, 1n, 2n, 5n, 6n, 9n];
    const plan = planBatch(input(offsets, undefined, 3));
    expect(bounds(plan.steps)).toEqual(['0-2', '3-5', '6-8', '9-9']);
    expect(inserts(plan.steps).map((s) => s.to - s.from)).toEqual([3, 1, 1, 1]);
  });

  it('an empty batch plans nothing', () => {
    expect(planBatch(input([])).steps).toEqual([]);
  });
});

describe('tokens and fingerprints', () => {
  it('the token names group, topic, epoch, partition and offset range', () => {
    const step = inserts(planBatch(input(range(7, 9))).steps)[0] as InsertStep;
    expect(chunkToken({ group: 'g', topic: 'accessproof.raw', partition: 4 }, step)).toBe('kafka:g:accessproof.raw:0:4:7-9');
  });

  it('fingerprints cover key and value', () => {
    const hash = (d: Buffer): string => d.toString('hex');
    expect(messageFingerprint(hash, 'k', Buffer.from('v'))).toBe('6b0076');
    expect(messageFingerprint(hash, 'k', Buffer.from('v'))).not.toBe(messageFingerprint(hash, 'kv', Buffer.alloc(0)));
  });
});
