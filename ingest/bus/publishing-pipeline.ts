import type { DeadLetter } from '../../schema/dead-letter.ts';
import { emptyCounts, toBusMessage, type BatchCounts, type InboundRecord, type Pipeline } from '../pipeline.ts';
import { HEADER, type Bus, type BusMessage } from './bus.ts';

// Scale-out mode (KAFKA_BROKERS set): connectors (file import, pollers, receivers, webhooks) hand records to this
// Pipeline instead of the storing one. `handle` resolves once the records are acknowledged by Kafka (acks=-1), so a
// connector advances its cursor only after the publish — the same acknowledgement chain as in-process, one hop
// earlier. Workers (`accessproof worker`) normalize and store them.
// Framing rejects (invalid JSON, corrupt gzip) travel on the raw topic too, marked with `reject_*` headers, so the
// workers are the only writers of `dead_letters` and of the dead-letter topic.

/** What was published since the pipeline was created (the `ingest` summary in Kafka mode). */
export interface PublishTotals {
  /** Messages acknowledged on the raw topic (records + framing rejects). */
  published: number;
  /** Of those, framing rejects the workers will dead-letter. */
  rejects: number;
  /** Publish calls (one per connector batch). */
  batches: number;
}

/** A Pipeline that publishes to the raw topic; counts report `read` only (storing happens in the workers). */
export interface PublishingPipeline extends Pipeline {
  readonly topic: string;
  totals(): PublishTotals;
}

/** Longest `reject_detail` header kept (headers are not the place for large text; the raw record is the value). */
const MAX_DETAIL = 1000;

/** A framing reject as a raw-topic message: value = the raw bytes, key = source, reason in headers. */
export function rejectMessage(row: DeadLetter): BusMessage {
  return {
    key: row.source,
    value: Buffer.from(row.raw, 'utf8'),
    headers: {
      [HEADER.source]: row.source,
      [HEADER.receivedAt]: row.received_at,
      [HEADER.rawSha256]: row.raw_sha256,
      [HEADER.inputRef]: row.input_ref,
      [HEADER.rejectStage]: row.stage,
      [HEADER.rejectReason]: row.reason,
      [HEADER.rejectDetail]: row.detail.slice(0, MAX_DETAIL),
    },
  };
}

/** Creates the publishing pipeline for `topic` (the raw topic). */
export function createPublishingPipeline(deps: { readonly bus: Bus; readonly topic: string }): PublishingPipeline {
  const totals: PublishTotals = { published: 0, rejects: 0, batches: 0 };
  return {
    topic: deps.topic,
    async handle(records: readonly InboundRecord[]): Promise<BatchCounts> {
      const counts = emptyCounts();
      if (records.length === 0) return counts;
      await deps.bus.publish(deps.topic, records.map(toBusMessage));
      totals.published += records.length;
      totals.batches++;
      counts.read = records.length;
      return counts;
    },
    async deadLetter(rows: readonly DeadLetter[]): Promise<void> {
      if (rows.length === 0) return;
      await deps.bus.publish(deps.topic, rows.map(rejectMessage));
      totals.published += rows.length;
      totals.rejects += rows.length;
      totals.batches++;
    },
    totals: () => ({ ...totals }),
  };
}
