import type { Clock } from '../../core/clock.ts';
import type { Store } from '../../schema/store/store.ts';
import type { RangeRecord } from './batch-plan.ts';

// The range ledger (table kafka_ranges, migration 0005): the last offset range a worker started to insert per
// (consumer group, topic, partition). It lives in ClickHouse, next to the data it protects, so whichever worker
// owns the partition after a crash or a rebalance sees it.

/** Where one partition's range is kept. */
export interface PartitionRef {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
}

/** Reads and writes the latest recorded range of a partition. */
export interface RangeLedger {
  get(ref: PartitionRef): Promise<RangeRecord | undefined>;
  /** Durable when it resolves (the worker inserts nothing of the range before). */
  record(ref: PartitionRef, range: RangeRecord): Promise<void>;
}

interface LedgerRow {
  epoch: number;
  first: string;
  last: string;
  chunk_size: number;
  first_fp: string;
  last_fp: string;
  version: string;
}

/** A ledger over the store. Versions grow per partition even if clocks of different workers disagree. */
export function createRangeLedger(store: Store, clock: Clock): RangeLedger {
  const versions = new Map<string, bigint>();
  const keyOf = (ref: PartitionRef): string => `${ref.group}\u0000${ref.topic}\u0000${String(ref.partition)}`;
  return {
    async get(ref) {
      const rows = await store.query<LedgerRow>(
        `SELECT epoch, toString(first_offset) AS first, toString(last_offset) AS last, chunk_size, first_fp, last_fp,
                toString(version) AS version
         FROM kafka_ranges
         WHERE consumer_group = {group:String} AND topic = {topic:String} AND partition = {partition:UInt32}
         ORDER BY version DESC LIMIT 1`,
        { group: ref.group, topic: ref.topic, partition: ref.partition },
      );
      const row = rows[0];
      if (row === undefined) return undefined;
      versions.set(keyOf(ref), BigInt(row.version));
      return {
        epoch: Number(row.epoch), first: BigInt(row.first), last: BigInt(row.last), chunk_size: Number(row.chunk_size),
        first_fp: row.first_fp, last_fp: row.last_fp,
      };
    },
    async record(ref, range) {
      const key = keyOf(ref);
      const now = clock.now();
      const micros = BigInt(now.getTime()) * 1000n;
      const previous = versions.get(key) ?? 0n;
      const version = micros > previous ? micros : previous + 1n;
      await store.insertRows('kafka_ranges', [{
        consumer_group: ref.group, topic: ref.topic, partition: ref.partition, epoch: range.epoch,
        first_offset: range.first.toString(), last_offset: range.last.toString(), chunk_size: range.chunk_size,
        first_fp: range.first_fp, last_fp: range.last_fp, version: version.toString(), recorded_at: now.toISOString(),
      }], ['recorded_at']);
      versions.set(key, version);
    },
  };
}
