// The fail-closed offset rule of the Kafka consumer, as a pure function so it can be unit tested.
// kafkajs on its own resets a group without a valid offset to the earliest/latest offset and, on
// OFFSET_OUT_OF_RANGE, even commits that reset (kafkajs#1119). Either way records can be skipped silently.
// The raw topic is neither compacted nor transactional, so its offsets are contiguous and any jump is a loss.

/** What is known about one partition of one group. Offsets are "next offset to read" positions. */
export interface PartitionPosition {
  /** The group's committed offset; undefined when it has none (never committed, expired, or reset to -1/-2). */
  readonly committed?: bigint;
  /** Next offset this process already handled but may not have committed yet (a failed commit). */
  readonly processedNext?: bigint;
  /** The partition's log start offset (earliest offset still stored). */
  readonly logStart: bigint;
  /** First offset of the batch about to be handled, when checking a batch. */
  readonly batchFirst?: bigint;
}

/** Returns why records would be skipped, or undefined when the position is safe to consume from. */
export function findOffsetGap(position: PartitionPosition): string | undefined {
  const { committed, processedNext, logStart, batchFirst } = position;
  let next = committed;
  if (processedNext !== undefined && (next === undefined || processedNext > next)) next = processedNext;
  if (next === undefined) {
    // A brand-new group starts at the beginning, but only while the beginning still exists.
    if (logStart > 0n) {
      return `group has no committed offset and the log starts at ${String(logStart)}: offsets 0..${String(logStart - 1n)} were deleted before this group read them`;
    }
    next = 0n;
  }
  if (next < logStart) {
    return `group position ${String(next)} is before the log start ${String(logStart)}: offsets ${String(next)}..${String(logStart - 1n)} were deleted before this group read them`;
  }
  if (batchFirst !== undefined && batchFirst > next) {
    return `batch starts at offset ${String(batchFirst)} but the group position is ${String(next)}: offsets ${String(next)}..${String(batchFirst - 1n)} would be skipped`;
  }
  return undefined;
}

/** Parses a kafkajs offset string; negative values (-1 none, -2 earliest marker) mean "no offset". */
export function parseCommittedOffset(offset: string | undefined | null): bigint | undefined {
  if (offset === undefined || offset === null || offset === '') return undefined;
  const value = BigInt(offset);
  return value < 0n ? undefined : value;
}
