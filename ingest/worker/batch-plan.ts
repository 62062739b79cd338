// Deterministic insert boundaries for Kafka batches (reliability §1, "identical retries → deduplicated inserts").
//
// ClickHouse drops a retried insert only when it carries the same insert_deduplication_token, and a token is only
// safe when it always denotes the same rows. Tokens here are offset ranges: within one topic incarnation the
// messages at offsets first..last of a partition never change, so a token (epoch, partition, first, last) always
// names the same records. What is not deterministic is where kafkajs cuts a batch: after a crash the re-delivered
// batch can be longer or shorter than the one that was being inserted. So before inserting a range the worker
// records it (the range ledger, table kafka_ranges); a batch that starts inside the recorded range is re-inserted
// on the recorded chunk grid, which reproduces the earlier tokens exactly, and only what lies beyond it is new.
//
// Epochs: a batch starting before the recorded range (offsets were reset for a replay, or the topic was re-created)
// starts a new epoch, so its tokens can never be swallowed by dedup hashes of earlier inserts (a replay after a
// purge must write again). A range is only replayed when a fingerprint of its first or last message still matches,
// which catches a re-created topic whose offsets happen to overlap the recorded range.

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
  /** Re-insert of a chunk of the recorded range with its recorded bounds: a duplicate insert adds nothing. */
  readonly replay: boolean;
  /** Part of the recorded range, but not on its grid (the re-delivered batch was cut elsewhere): may duplicate raw rows. */
  readonly misaligned: boolean;
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
  const fresh = (epoch: number, from: number): (RecordStep | InsertStep)[] => {
    const first = offsets[from] as bigint;
    const range: RangeRecord = {
      epoch, first, last: z, chunk_size: chunkSize,
      first_fp: input.fingerprintAt(first) ?? '', last_fp: input.fingerprintAt(z) ?? '',
    };
    return [{ kind: 'record', range }, ...gridSteps(offsets, from, range, false)];
  };
  if (prior === undefined) return { mode: 'new', steps: fresh(0, 0) };
  if (a > prior.last) return { mode: 'continue', steps: fresh(prior.epoch, 0) };
  if (a < prior.first || !sameRange(input, prior)) return { mode: 'rewind', steps: fresh(prior.epoch + 1, 0) };

  // Replay: the batch starts inside the recorded range. Re-insert its part of the range on the recorded grid,
  // then record and insert whatever lies beyond the range.
  const split = firstIndexAbove(offsets, prior.last);
  const steps: (RecordStep | InsertStep)[] = [...gridSteps(offsets.slice(0, split), 0, prior, true)];
  if (split < offsets.length) steps.push(...fresh(prior.epoch, split));
  return { mode: 'replay', steps };
}

/** Fingerprint of a message for the ledger: its key and value (the same bytes at the same offset → the same topic). */
export function messageFingerprint(hash: (data: Buffer) => string, key: string, value: Buffer): string {
  return hash(Buffer.concat([Buffer.from(key, 'utf8'), Buffer.from([0]), value])).slice(0, 32);
}

/** Does the batch see the recorded range's first or last message unchanged? */
function sameRange(input: PlanInput, prior: RangeRecord): boolean {
  const atFirst = input.fingerprintAt(prior.first);
  const atLast = input.fingerprintAt(prior.last);
  if (atFirst === undefined && atLast === undefined) return false;
  return (atFirst === undefined || atFirst === prior.first_fp) && (atLast === undefined || atLast === prior.last_fp);
}

function firstIndexAbove(offsets: readonly bigint[], bound: bigint): number {
  let i = 0;
  while (i < offsets.length && (offsets[i] as bigint) <= bound) i++;
  return i;
}

/**
 * Cuts offsets[from..] (all inside `range`) on the range's grid: chunk k covers first + k·size .. first + (k+1)·size − 1.
 * A chunk is aligned when the batch holds its whole grid cell up to the range's last offset, i.e. its bounds are the
 * ones the first attempt used.
 */
function gridSteps(offsets: readonly bigint[], from: number, range: RangeRecord, replay: boolean): InsertStep[] {
  const size = BigInt(range.chunk_size);
  const steps: InsertStep[] = [];
  let i = from;
  while (i < offsets.length) {
    const offset = offsets[i] as bigint;
    const cell = (offset - range.first) / size;
    const cellFirst = range.first + cell * size;
    const cellLast = minBig(cellFirst + size - 1n, range.last);
    let j = i;
    while (j < offsets.length && (offsets[j] as bigint) <= cellLast) j++;
    const first = offsets[i] as bigint;
    const last = offsets[j - 1] as bigint;
    // Offsets may have holes; a cell is whole when nothing before `first` or after `last` in the cell was cut off.
    const startsCell = first === cellFirst || (i > 0 && (offsets[i - 1] as bigint) < cellFirst);
    const endsCell = last === cellLast || j < offsets.length;
    const aligned = startsCell && endsCell;
    steps.push({
      kind: 'insert', from: i, to: j, epoch: range.epoch,
      // Aligned chunks take the cell's bounds, so the token matches whatever the first attempt saw in that cell.
      first: aligned ? cellFirst : first, last: aligned ? cellLast : last,
      replay: replay && aligned, misaligned: replay && !aligned,
    });
    i = j;
  }
  return steps;
}

function minBig(x: bigint, y: bigint): bigint {
  return x < y ? x : y;
}
