import type { DeadLetter } from '../../schema/dead-letter.ts';
import type { Clock } from '../../core/clock.ts';
import { UsageError } from '../../core/errors.ts';
import { sha256Hex } from '../normalizers/common.ts';
import { normalizerFor } from '../normalizers/index.ts';
import { addCounts, deadLetterOf, emptyCounts, type BatchCounts, type InboundRecord } from '../pipeline.ts';
import { readRecords } from './read-records.ts';

/** Where framed records go: the in-process pipeline, or the Kafka raw topic. */
export interface RecordSink {
  /** Resolves when the records are stored (in-process) or durably published (Kafka; counts then only `read`). */
  send(records: readonly InboundRecord[]): Promise<BatchCounts>;
  deadLetter(rows: readonly DeadLetter[]): Promise<void>;
}

/** Options of one import run. */
export interface ImportOptions {
  readonly source: string;
  readonly paths: readonly string[];
  readonly batchSize: number;
  readonly clock: Clock;
  /** Called after each batch with the running totals (progress bar). */
  readonly onProgress?: (totals: BatchCounts) => void;
  /**
   * Batches sent but not yet stored while the next one is framed (default 1). More than one pays off only when the
   * sink normalises off this thread (a pool of normalise workers): each outstanding batch can use a core.
   */
  readonly inFlight?: number;
}

/**
 * Streams files into the sink in batches, framing the next batch while up to `inFlight` earlier ones are
 * normalised and stored. Memory stays bounded by `inFlight` + 1 batches whatever the input size.
 */
export async function importFiles(sink: RecordSink, opts: ImportOptions): Promise<BatchCounts> {
  const normalizer = normalizerFor(opts.source);
  if (!normalizer) throw new UsageError(`unknown source "${opts.source}"`);
  const totals = emptyCounts();
  let batch: InboundRecord[] = [];
  let rejects: DeadLetter[] = [];
  const maxInFlight = Math.max(1, opts.inFlight ?? 1);
  const inflight: Promise<void>[] = [];
  const flush = async (): Promise<void> => {
    const records = batch;
    const dead = rejects;
    batch = [];
    rejects = [];
    // Oldest first: the sink stores batches in the order they were sent.
    while (inflight.length >= maxInFlight) await inflight.shift();
    // Sent now, in batch order (the sink queues its writes in call order); awaited after the dead letters.
    const stored = records.length ? sink.send(records) : undefined;
    stored?.catch(() => undefined);
    const sent = (async () => {
      if (dead.length) {
        await sink.deadLetter(dead);
        totals.read += dead.length;
        totals.dead_lettered += dead.length;
      }
      if (stored) addCounts(totals, await stored);
      opts.onProgress?.(totals);
    })();
    // Awaited in order later; a failure must not count as unhandled meanwhile.
    sent.catch(() => undefined);
    inflight.push(sent);
  };
  for await (const item of readRecords(opts.paths, normalizer)) {
    const received_at = opts.clock.now().toISOString();
    if (item.kind === 'drop') {
      totals.read++;
      totals.dropped++;
      continue;
    }
    if (item.kind === 'reject') {
      rejects.push(deadLetterOf({ source: opts.source, raw: item.raw, input_ref: item.input_ref, received_at }, 'framing', item.reason, item.detail));
    } else {
      batch.push({ source: opts.source, raw: item.raw, input_ref: item.input_ref, received_at, raw_sha256: sha256Hex(item.raw), payload: item.payload });
    }
    if (batch.length + rejects.length >= opts.batchSize) await flush();
  }
  await flush();
  while (inflight.length) await inflight.shift();
  return totals;
}
