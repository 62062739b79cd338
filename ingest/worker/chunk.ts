import type { DeadLetter } from '../../schema/dead-letter.ts';
import { DeadLetterStage } from '../../schema/dead-letter.ts';
import type { BatchWrite, IngestBatchRow } from '../../schema/store/store.ts';
import { HEADER, type BusMessage } from '../bus/bus.ts';
import type { NormalizerPolicy } from '../normalizers/normalizer.ts';
import { deadLetterOf, fromBusMessage, prepareBatch, type InboundRecord } from '../pipeline.ts';

// One chunk of a Kafka batch → the rows to write, plus each dead letter paired with the message it came from (the
// dead-letter topic carries the original bytes and their topic/partition/offset).

/** Headers added to a dead-letter topic message (the original headers are kept). */
export const DEAD_LETTER_HEADER = {
  stage: 'dead_letter_stage',
  reason: 'dead_letter_reason',
  detail: 'dead_letter_detail',
  originTopic: 'origin_topic',
  originPartition: 'origin_partition',
  originOffset: 'origin_offset',
} as const;

/** Where a chunk came from. */
export interface ChunkOrigin {
  readonly topic: string;
  readonly partition: number;
  /** Deterministic per chunk (its dedup token): ingest_batches rows of a re-inserted chunk replace each other. */
  readonly batchId: string;
  /** `kafka:<group>` in ingest_batches.connector. */
  readonly connector: string;
}

/** A prepared chunk. */
export interface PreparedChunk {
  readonly write: BatchWrite;
  /** Dead-letter topic messages, in chunk order. */
  readonly deadLetterMessages: BusMessage[];
  readonly records: number;
  readonly events: number;
  readonly deadLettered: number;
  readonly dropped: number;
  /** Newest vendor event time in the chunk ('' when none). */
  readonly newestEventTime: string;
}

const MAX_HEADER_DETAIL = 1000;

/** Normalizes a chunk's messages. Never throws on data: bad records become dead letters. */
export function prepareChunk(messages: readonly BusMessage[], origin: ChunkOrigin, policy: NormalizerPolicy, now: string): PreparedChunk {
  const records: InboundRecord[] = [];
  const recordMessages: BusMessage[] = [];
  const framing: { row: DeadLetter; message: BusMessage }[] = [];
  for (const m of messages) {
    const record = fromBusMessage(m);
    const reason = m.headers[HEADER.rejectReason];
    if (reason !== undefined) {
      // Rejected by the connector before the bus: dead-letter as is.
      const stage = DeadLetterStage.safeParse(m.headers[HEADER.rejectStage]);
      framing.push({ row: deadLetterOf(record, stage.success ? stage.data : 'framing', reason, m.headers[HEADER.rejectDetail] ?? ''), message: m });
      continue;
    }
    records.push(record);
    recordMessages.push(m);
  }
  const prepared = prepareBatch(records, policy, now);

  // prepareBatch emits at most one dead letter per record, in record order: pair them back up.
  const normalized: { row: DeadLetter; message: BusMessage }[] = [];
  let next = 0;
  for (const row of prepared.deadLetters) {
    while (next < records.length && !producedBy(row, records[next] as InboundRecord)) next++;
    const message = recordMessages[next];
    normalized.push({ row, message: message ?? { key: row.source, value: Buffer.from(row.raw, 'utf8'), headers: {} } });
    next++;
  }

  const deadLetters = [...framing, ...normalized];
  const sources = new Map(prepared.sources);
  for (const { row } of framing) {
    const s = sources.get(row.source) ?? { min: '', max: '', received: 0, events: 0, dead: 0, dropped: 0 };
    sources.set(row.source, { ...s, received: s.received + 1, dead: s.dead + 1 });
  }
  const ingestBatches: IngestBatchRow[] = [];
  let newest = '';
  for (const [source, s] of sources) {
    if (s.max > newest) newest = s.max;
    ingestBatches.push({
      batch_id: `${origin.batchId}:${source}`, source, connector: origin.connector, received_at: now,
      min_event_time: s.min || now, max_event_time: s.max || now,
      received: s.received, events: s.events, dead_lettered: s.dead, dropped: s.dropped,
    });
  }
  return {
    write: { raws: prepared.raws, events: prepared.events, deadLetters: deadLetters.map((d) => d.row), ingestBatches },
    deadLetterMessages: deadLetters.map((d) => deadLetterMessage(d.row, d.message, origin)),
    records: messages.length,
    events: prepared.events.length,
    deadLettered: deadLetters.length,
    dropped: prepared.counts.dropped,
    newestEventTime: newest,
  };
}

/** A record the store refused (data error isolated to this one record): a dead letter of stage `store`. */
export function storeRejectChunk(message: BusMessage, origin: ChunkOrigin, reason: string, detail: string, now: string): PreparedChunk {
  const record = fromBusMessage(message);
  const row = deadLetterOf(record, 'store', reason, detail);
  return {
    write: {
      raws: [], events: [], deadLetters: [row],
      ingestBatches: [{
        batch_id: `${origin.batchId}:${record.source}`, source: record.source, connector: origin.connector, received_at: now,
        min_event_time: now, max_event_time: now, received: 1, events: 0, dead_lettered: 1, dropped: 0,
      }],
    },
    deadLetterMessages: [deadLetterMessage(row, message, origin)],
    records: 1, events: 0, deadLettered: 1, dropped: 0, newestEventTime: '',
  };
}

function producedBy(row: DeadLetter, record: InboundRecord): boolean {
  return row.input_ref === record.input_ref && row.source === record.source && record.raw.startsWith(row.raw);
}

/** The dead-letter topic message: the original key, bytes and headers, plus the reason and where it came from. */
function deadLetterMessage(row: DeadLetter, original: BusMessage, origin: ChunkOrigin): BusMessage {
  return {
    key: original.key,
    value: original.value,
    headers: {
      ...original.headers,
      [DEAD_LETTER_HEADER.stage]: row.stage,
      [DEAD_LETTER_HEADER.reason]: row.reason,
      [DEAD_LETTER_HEADER.detail]: row.detail.slice(0, MAX_HEADER_DETAIL),
      [DEAD_LETTER_HEADER.originTopic]: origin.topic,
      [DEAD_LETTER_HEADER.originPartition]: String(origin.partition),
      [DEAD_LETTER_HEADER.originOffset]: original.offset ?? '',
    },
  };
}
