import { describe, expect, it } from 'vitest';
import { findOffsetGap, parseCommittedOffset } from '../../../ingest/bus/offset-gap.ts';

describe('findOffsetGap', () => {
  it('lets a brand-new group start at the beginning while offset 0 still exists', () => {
    expect(findOffsetGap({ logStart: 0n })).toBeUndefined();
    expect(findOffsetGap({ logStart: 0n, batchFirst: 0n })).toBeUndefined();
  });

  it('fails closed for a group without offsets when retention already deleted the start', () => {
    expect(findOffsetGap({ logStart: 5n })).toMatch(/no committed offset.*offsets 0\.\.4 were deleted/);
  });

  it('fails closed when the committed offset is before the log start', () => {
    expect(findOffsetGap({ committed: 10n, logStart: 15n })).toMatch(/position 10 is before the log start 15: offsets 10\.\.14/);
    expect(findOffsetGap({ committed: 15n, logStart: 15n })).toBeUndefined();
  });

  it('fails closed when a batch starts after the group position (kafkajs reset)', () => {
    expect(findOffsetGap({ committed: 10n, logStart: 0n, batchFirst: 12n })).toMatch(/offsets 10\.\.11 would be skipped/);
    expect(findOffsetGap({ committed: 10n, logStart: 0n, batchFirst: 10n })).toBeUndefined();
    // Re-reading already committed records is allowed (at-least-once).
    expect(findOffsetGap({ committed: 10n, logStart: 0n, batchFirst: 7n })).toBeUndefined();
  });

  it('accepts a position this process handled but failed to commit', () => {
    expect(findOffsetGap({ committed: 10n, processedNext: 20n, logStart: 15n, batchFirst: 20n })).toBeUndefined();
    expect(findOffsetGap({ processedNext: 20n, logStart: 5n, batchFirst: 20n })).toBeUndefined();
    expect(findOffsetGap({ committed: 10n, processedNext: 20n, logStart: 0n, batchFirst: 21n })).toMatch(/offsets 20\.\.20/);
  });
});

describe('parseCommittedOffset', () => {
  it('treats kafkajs "no offset" markers as missing', () => {
    expect(parseCommittedOffset('-1')).toBeUndefined();
    expect(parseCommittedOffset('-2')).toBeUndefined();
    expect(parseCommittedOffset('')).toBeUndefined();
    expect(parseCommittedOffset(undefined)).toBeUndefined();
    expect(parseCommittedOffset('0')).toBe(0n);
    expect(parseCommittedOffset('9007199254740993')).toBe(9007199254740993n);
  });
});
