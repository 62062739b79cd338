// Deterministic insert boundaries for Kafka batches (reliability §1, "identical retries → deduplicated inserts").
//
// ClickHouse drops a retried insert only when it carries the same insert_deduplication_token, and a token is only
// safe when it always denotes the same rows. Tokens here are offset ranges: within one topic incarnation the
// messages at offsets first..last of a partition never change, so a token (epoch, partition, first, last) always
// names the same records. Before inserting, a worker records the range it is about to write (the range ledger,
// table kafka_ranges); the record always covers every offset attempted since the partition's last commit.
//
// A batch that starts inside the recorded range is a re-delivery: its chunks inside the range may have been
// written by the attempt that crashed, so they are marked `verify` (the worker writes only their missing rows,
// see replay-filter.ts); the range is extended — never replaced — when the batch reaches beyond it, so a crash
// during the replay still finds every attempted offset recorded. Chunks beyond the range are new and use their
// deterministic tokens (which also absorb a concurrent insert by a revoked member still finishing its batch).
//
// Epochs: a batch starting before the recorded range (offsets reset for a replay, or the topic re-created) starts
// a new epoch, so its tokens never collide with dedup hashes of earlier inserts (a replay after a purge must write
// again). A fingerprint of the range's first and last message detects a re-created topic whose offsets overlap.

/** One recorded range: the worker started inserting offsets first..last of a partition, cut every `chunk_size`. */
export interface RangeRecord {
  readonly epoch: number;
  readonly first: bigint;
  readonly last: bigint;
  readonly chunk_size: number;
  /** Fingerprints of the messages at `first` and `last` (see {@link messageFingerprint}). */
  readonly first_fp: string;
  readonly last_fp: string;
}

/** What the planner needs to know about a batch. */
export interface PlanInput {
  /** Offsets of the batch's messages, ascending (not necessarily contiguous). */
  readonly offsets: readonly bigint[];
  /** Fingerprint of the message at an offset of this batch; undefined when the offset is not in the batch. */
  readonly fingerprintAt: (offset: bigint) => string | undefined;
  /** The partition's last recorded range, if any. */
  readonly prior?: RangeRecord;
  /** Chunk size for new ranges (messages per insert). */
  readonly chunkSize: number;
}

/** Record a range before inserting any of it. */
export interface RecordStep {
  readonly kind: 'record';
  readonly range: RangeRecord;
}

/** Insert messages [from, to) of the batch (offsets first..last) under the token of (epoch, first, last). */
export interface InsertStep {
  readonly kind: 'insert';
  readonly from: number;
  readonly to: number;
  readonly epoch: number;
  readonly first: bigint;
  readonly last: bigint;
  /** Inside the recorded range: an earlier attempt may have written it; write only what is missing. */
  readonly verify: boolean;
}

/** Ordered steps for one batch. */
export interface BatchPlan {
  readonly mode: 'new' | 'continue' | 'replay' | 'rewind';
  readonly steps: readonly (RecordStep | InsertStep)[];
}

/** The insert_deduplication_token of a chunk (the same string for every table: dedup hashes are per table). */
export function chunkToken(ctx: { readonly group: string; readonly topic: string; readonly partition: number }, step: InsertStep): string {
  return `kafka:${ctx.group}:${ctx.topic}:${String(step.epoch)}:${String(ctx.partition)}:${String(step.first)}-${String(step.last)}`;
}

/** Plans the inserts of one batch against the partition's recorded range. Pure. */
export function planBatch(input: PlanInput): BatchPlan {
  const { offsets, prior } = input;
  const chunkSize = Math.max(1, Math.floor(input.chunkSize));
  const a = offsets[0];
  const z = offsets[offsets.length - 1];
  if (a === undefined || z === undefined) return { mode: 'continue', steps: [] };
  // A new range: recorded first, then inserted on its own grid.
  const fresh = (epoch: number): (RecordStep | InsertStep)[] => {
    const range: RangeRecord = { epoch, first: a, last: z, chunk_size: chunkSize, first_fp: input.fingerprintAt(a) ?? '', last_fp: input.fingerprintAt(z) ?? '' };
    return [{ kind: 'record', range }, ...gridSteps(offsets, range, -1n)];
  };
  if (prior === undefined) return { mode: 'new', steps: fresh(0) };
  if (a > prior.last) return { mode: 'continue', steps: fresh(prior.epoch) };
  if (a < prior.first || changedAt(input, prior)) return { mode: 'rewind', steps: fresh(prior.epoch + 1) };

  // Re-delivery: the batch starts inside the recorded range. Extend the record first when the batch reaches beyond
  // it; cut the whole batch on the recorded grid; verify what lies inside the earlier record.
  const steps: (RecordStep | InsertStep)[] = [];
  let range = prior;
  if (z > prior.last) {
    range = { ...prior, last: z, last_fp: input.fingerprintAt(z) ?? '' };
    steps.push({ kind: 'record', range });
  }
  steps.push(...gridSteps(offsets, range, prior.last));
  return { mode: 'replay', steps };
}

/** Fingerprint of a message for the ledger: its key and value (the same bytes at the same offset → the same topic). */
export function messageFingerprint(hash: (data: Buffer) => string, key: string, value: Buffer): string {
  return hash(Buffer.concat([Buffer.from(key, 'utf8'), Buffer.from([0]), value])).slice(0, 32);
}

/** Are the bytes at the recorded range's first or last offset (whichever the batch holds) different now? */
function changedAt(input: PlanInput, prior: RangeRecord): boolean {
  const atFirst = input.fingerprintAt(prior.first);
  const atLast = input.fingerprintAt(prior.last);
  return (atFirst !== undefined && atFirst !== prior.first_fp) || (atLast !== undefined && atLast !== prior.last_fp);
}

/**
 * Cuts the batch on the range's grid: chunk k covers first + k·size .. first + (k+1)·size − 1 (clipped to the
 * range). A chunk holding its whole cell takes the cell's bounds, so its token is the same whichever batch it came
 * in; a chunk starting at or before `verifyThrough` may have been written before.
 */
function gridSteps(offsets: readonly bigint[], range: RangeRecord, verifyThrough: bigint): InsertStep[] {
  const size = BigInt(range.chunk_size);
  const steps: InsertStep[] = [];
  let i = 0;
  while (i < offsets.length) {
    const offset = offsets[i] as bigint;
    const cellFirst = range.first + ((offset - range.first) / size) * size;
    const cellLast = minBig(cellFirst + size - 1n, range.last);
    let j = i;
    while (j < offsets.length && (offsets[j] as bigint) <= cellLast) j++;
    const first = offsets[i] as bigint;
    const last = offsets[j - 1] as bigint;
    // Offsets may have holes; a cell is whole when nothing before `first` or after `last` in the cell was cut off.
    const whole = (first === cellFirst || (i > 0 && (offsets[i - 1] as bigint) < cellFirst)) && (last === cellLast || j < offsets.length);
    steps.push({
      kind: 'insert', from: i, to: j, epoch: range.epoch,
      first: whole ? cellFirst : first, last: whole ? cellLast : last, verify: first <= verifyThrough,
    });
    i = j;
  }
  return steps;
}

function minBig(x: bigint, y: bigint): bigint {
  return x < y ? x : y;
}
