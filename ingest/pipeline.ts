import { randomUUID } from 'node:crypto';
import type { AuthEvent } from '../schema/auth-event.ts';
import type { DeadLetter } from '../schema/dead-letter.ts';
import { batchOf, releaseBatch, type EncodedBatch, type IngestBatchRow, type RawEventRow, type Store } from '../schema/store/store.ts';
import { AuthEventsEncoder, deadLettersPart, ingestBatchesPart, RawEventsEncoder } from '../schema/store/bodies.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { HEADER, type BusMessage } from './bus/bus.ts';
import { sha256Hex } from './normalizers/common.ts';
import { normalizerFor } from './normalizers/index.ts';
import type { NormalizerPolicy } from './normalizers/normalizer.ts';
import { normalizeRecord } from './normalizers/normalize-record.ts';
import type { NormalizePool } from './normalize-pool/pool.ts';

/** A raw record on its way in: what connectors hand to the bus (plus, in-process, the already-parsed payload). */
export interface InboundRecord {
  readonly source: string;
  readonly raw: string;
  readonly input_ref: string;
  readonly received_at: string;
  readonly raw_sha256: string;
  /** In-process only: the decoded value, so the memory bus does not parse twice. */
  readonly payload?: unknown;
  /** The record's UTF-8 bytes when they arrived as bytes (bus messages): stored in raw_events as they are. */
  readonly raw_bytes?: Buffer;
}

/** Counts for one stored batch (and, summed, for one import). */
export interface BatchCounts {
  read: number;
  stored: number;
  duplicates: number;
  dead_lettered: number;
  dropped: number;
  events: number;
}

/** Zero counts. */
export function emptyCounts(): BatchCounts {
  return { read: 0, stored: 0, duplicates: 0, dead_lettered: 0, dropped: 0, events: 0 };
}

/** Adds b into a. */
export function addCounts(a: BatchCounts, b: BatchCounts): void {
  a.read += b.read; a.stored += b.stored; a.duplicates += b.duplicates;
  a.dead_lettered += b.dead_lettered; a.dropped += b.dropped; a.events += b.events;
}

/** Turns an inbound record into a bus message (key = source + actor, headers = provenance). */
export function toBusMessage(r: InboundRecord): BusMessage {
  const normalizer = normalizerFor(r.source);
  let userKey = '';
  try {
    if (normalizer?.partitionKey) userKey = normalizer.partitionKey(r.payload ?? (normalizer.format === 'json' ? JSON.parse(r.raw) : r.raw));
  } catch {
    userKey = '';
  }
  return {
    key: userKey ? `${r.source}:${userKey}` : r.source,
    value: Buffer.from(r.raw, 'utf8'),
    headers: { [HEADER.source]: r.source, [HEADER.receivedAt]: r.received_at, [HEADER.rawSha256]: r.raw_sha256, [HEADER.inputRef]: r.input_ref },
  };
}

/**
 * A record that arrived as bytes (a bus message, a normalise worker's job). NOTE: `raw` is decoded from the bytes on
 * each read, never kept: a batch's records live until the batch is stored, and holding every record's text for that
 * long pushed ~25 MB per 10k-record batch through the old generation (the normalizer reads it once; raw_events
 * stores the bytes).
 */
export class BytesRecord implements InboundRecord {
  constructor(
    readonly source: string,
    readonly input_ref: string,
    readonly received_at: string,
    readonly raw_sha256: string,
    readonly raw_bytes: Buffer,
  ) {}

  get raw(): string {
    return this.raw_bytes.toString('utf8');
  }
}

/** Reverses toBusMessage (the payload is parsed again by the normalizing stage). */
export function fromBusMessage(m: BusMessage): InboundRecord {
  return new BytesRecord(
    m.headers[HEADER.source] ?? '',
    m.headers[HEADER.inputRef] ?? '',
    m.headers[HEADER.receivedAt] ?? new Date().toISOString(),
    m.headers[HEADER.rawSha256] ?? sha256Hex(m.value.toString('utf8')),
    m.value,
  );
}

/** Per-source figures of one batch (event time range, record outcomes). */
export interface SourceStats {
  min: string;
  max: string;
  received: number;
  events: number;
  dead: number;
  dropped: number;
}

/** What the storing stage reads of a stored event (duplicate counts, dirty days): all a pool worker sends back. */
export type StoredEventRef = Pick<AuthEvent, 'event_id' | 'source' | 'event_time' | 'action'>;

/** Result of normalizing a batch, ready to insert. */
export interface PreparedBatch {
  /** The events and their raw records; empty when a {@link PreparedRowSink} took them as they were produced. */
  events: AuthEvent[];
  raws: RawEventRow[];
  deadLetters: DeadLetter[];
  counts: BatchCounts;
  sources: Map<string, SourceStats>;
}

/** Builds a dead-letter row for an input that could not be used. */
export function deadLetterOf(r: { source: string; raw: string; input_ref: string; received_at: string }, stage: DeadLetter['stage'], reason: string, detail: string): DeadLetter {
  return { source: r.source, stage, received_at: r.received_at, input_ref: r.input_ref, reason, detail: detail.slice(0, 2000), raw: r.raw.slice(0, 1 << 20), raw_sha256: sha256Hex(r.raw) };
}

/** The raw_events row of a record whose first event is `first` (`raw`: its text, stored when it has no bytes). */
export function rawEventRowOf(r: InboundRecord, raw: string, first: AuthEvent): RawEventRow {
  return { raw_sha256: r.raw_sha256, source: r.source, event_time: first.event_time, received_at: r.received_at, input_ref: r.input_ref, raw: r.raw_bytes ? '' : raw, raw_bytes: r.raw_bytes };
}

/**
 * Takes each raw record and event from prepareBatch as soon as it is produced (prepareWrite: the insert-body
 * encoders). NOTE: why not after the batch: a 10k-record batch's events, kept until the batch is encoded, are ~10 MB
 * of young objects that every scavenge of the batch copies again, and by then they are out of the CPU caches.
 */
export interface PreparedRowSink {
  raw(row: RawEventRow): void;
  event(e: AuthEvent): void;
}

/**
 * The order to normalise a batch's records in: grouped by source (sources in order of first arrival, each source's
 * records in arrival order), or null when they already are. NOTE: a mixed batch (the Kafka raw topic carries every
 * source) normalised in arrival order switches normalizer, event shapes and details keys at every record; the same
 * batch grouped by source measured 1.18–1.40× faster (README "Performance"). The engine sorts the rows by source
 * on insert either way.
 */
function sourceOrder(records: readonly InboundRecord[]): number[] | null {
  let grouped = true;
  const seen = new Set<string>();
  let current: string | undefined;
  for (const r of records) {
    if (r.source === current) continue;
    if (seen.has(r.source)) {
      grouped = false;
      break;
    }
    seen.add(r.source);
    current = r.source;
  }
  if (grouped) return null;
  const bySource = new Map<string, number[]>();
  records.forEach((r, i) => {
    const list = bySource.get(r.source);
    if (list) list.push(i);
    else bySource.set(r.source, [i]);
  });
  return [...bySource.values()].flat();
}

/**
 * Pure CPU stage: parse + normalize + validate every record of a batch, grouped by source (see sourceOrder).
 * Dead letters come out in arrival order, at most one per record. Never throws on data.
 */
export function prepareBatch(records: readonly InboundRecord[], policy: NormalizerPolicy, ingestedAt: string, sink?: PreparedRowSink): PreparedBatch {
  const out: PreparedBatch = { events: [], raws: [], deadLetters: [], counts: emptyCounts(), sources: new Map() };
  const order = sourceOrder(records);
  // The arrival index of each dead letter, to put them back in arrival order when the batch was regrouped.
  const deadAt: number[] = [];
  const pushDead = (row: DeadLetter, at: number): void => {
    out.deadLetters.push(row);
    if (order) deadAt.push(at);
  };
  for (let k = 0; k < records.length; k++) {
    const at = order ? (order[k] as number) : k;
    const r = records[at] as InboundRecord;
    out.counts.read++;
    let s = out.sources.get(r.source);
    if (!s) { s = { min: '', max: '', received: 0, events: 0, dead: 0, dropped: 0 }; out.sources.set(r.source, s); }
    s.received++;
    const normalizer = normalizerFor(r.source);
    if (!normalizer) {
      pushDead(deadLetterOf(r, 'normalize', 'unknown_source', `no normalizer for source ${r.source}`), at);
      s.dead++;
      continue;
    }
    // Read once: a bus record decodes its bytes on every read of `raw`.
    const raw = r.raw;
    let payload = r.payload;
    if (payload === undefined) {
      if (normalizer.format === 'json') {
        try { payload = JSON.parse(raw); } catch (e) {
          pushDead(deadLetterOf(r, 'normalize', 'invalid_json', (e as Error).message), at);
          s.dead++;
          continue;
        }
      } else payload = raw;
    }
    const result = normalizeRecord(normalizer, raw, payload, policy, ingestedAt, r.raw_sha256);
    switch (result.kind) {
      case 'ok': {
        if (result.value.length > 0) {
          const first = result.value[0] as AuthEvent;
          const rawRow = rawEventRowOf(r, raw, first);
          if (sink) sink.raw(rawRow);
          else out.raws.push(rawRow);
        }
        for (const e of result.value) {
          if (sink) sink.event(e);
          else out.events.push(e);
          if (!s.min || e.event_time < s.min) s.min = e.event_time;
          if (!s.max || e.event_time > s.max) s.max = e.event_time;
        }
        s.events += result.value.length;
        break;
      }
      case 'drop':
        out.counts.dropped++;
        s.dropped++;
        break;
      case 'reject':
        pushDead(deadLetterOf(r, 'normalize', result.reason, result.detail), at);
        s.dead++;
        break;
      default: {
        const never: never = result;
        throw new Error(`unhandled step ${String(never)}`);
      }
    }
  }
  if (order && deadAt.length > 1) {
    const sorted = deadAt.map((at, i) => ({ at, row: out.deadLetters[i] as DeadLetter })).sort((a, b) => a.at - b.at);
    out.deadLetters = sorted.map((d) => d.row);
  }
  out.counts.dead_lettered = out.deadLetters.length;
  for (const st of out.sources.values()) out.counts.events += st.events;
  return out;
}

/** Dependencies of the storing stage. */
export interface PipelineDeps {
  readonly store: Store;
  readonly policy: NormalizerPolicy;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Count pre-existing events as duplicates (one extra read per batch); on for imports, off for throughput. */
  readonly countDuplicates?: boolean;
  /** Called after a batch is stored (correlation hooks, metrics). */
  readonly onStored?: (events: readonly StoredEventRef[]) => Promise<void> | void;
  /**
   * Normalise workers for big batches (NORMALIZE_WORKERS); without one, or for batches under
   * {@link POOL_MIN_RECORDS}, `handle` does the CPU work on the calling thread.
   */
  readonly pool?: NormalizePool;
}

/** Batches smaller than this are normalised on the calling thread: a worker round trip would cost more. */
export const POOL_MIN_RECORDS = 256;

/** The storing stage: the only code that knows normalize → raw_events → auth_events → dead_letters order. */
export interface Pipeline {
  /** Normalizes and stores one batch; resolves only when everything is durably stored. */
  handle(records: readonly InboundRecord[], connector?: string): Promise<BatchCounts>;
  /** Pre-framing rejects (invalid JSON, corrupt gzip) go straight to dead_letters. */
  deadLetter(rows: readonly DeadLetter[]): Promise<void>;
}

/** The reconciliation rows of a prepared batch (one per source). */
function ingestBatchRows(prepared: Pick<PreparedBatch, 'sources'>, connector: string, now: string): IngestBatchRow[] {
  return [...prepared.sources].map(([source, s]) => ({
    batch_id: randomUUID(), source, connector, received_at: now,
    min_event_time: s.min || now, max_event_time: s.max || now,
    received: s.received, events: s.events, dead_lettered: s.dead, dropped: s.dropped,
  }));
}

/** A normalized batch and its insert bodies: all the CPU work of one batch, before any I/O. */
export interface PreparedWrite {
  readonly counts: BatchCounts;
  readonly sources: Map<string, SourceStats>;
  readonly deadLetters: readonly DeadLetter[];
  /** What the storing stage reads of each event, in batch order (the events went to the encoder). */
  readonly events: StoredEventRef[];
  readonly encoded: EncodedBatch;
}

/** The instants a batch is stamped with: events' ingested_at and the reconciliation rows' received_at. */
export interface BatchTimes {
  readonly ingestedAt: string;
  readonly now: string;
}

/** Parse + normalize + validate a batch and encode every table's insert body (what `handle` runs synchronously). */
export function prepareWrite(records: readonly InboundRecord[], policy: NormalizerPolicy, clock: Clock | BatchTimes, connector: string): PreparedWrite {
  const times = 'ingestedAt' in clock ? clock : batchTimes(clock);
  const raws = new RawEventsEncoder();
  const events = new AuthEventsEncoder();
  const refs: StoredEventRef[] = [];
  const prepared = prepareBatch(records, policy, times.ingestedAt, {
    raw: (r) => raws.add(r),
    event: (e) => {
      events.add(e);
      refs.push({ event_id: e.event_id, source: e.source, event_time: e.event_time, action: e.action });
    },
  });
  const encoded = batchOf({
    raws: raws.rows ? raws.finish() : null,
    events: events.rows ? events.finish() : null,
    deadLetters: prepared.deadLetters.length ? deadLettersPart(prepared.deadLetters) : null,
    ingestBatches: prepared.sources.size ? ingestBatchesPart(ingestBatchRows(prepared, connector, times.now)) : null,
  });
  return { counts: prepared.counts, sources: prepared.sources, deadLetters: prepared.deadLetters, events: refs, encoded };
}

function batchTimes(clock: Clock): BatchTimes {
  const ingestedAt = clock.now().toISOString();
  return { ingestedAt, now: clock.now().toISOString() };
}

/** What `handle` needs of a batch once its bodies are encoded, wherever the encoding ran. */
export interface ReadyWrite {
  readonly counts: BatchCounts;
  readonly sources: ReadonlyMap<string, SourceStats>;
  readonly events: readonly StoredEventRef[];
  readonly encoded: EncodedBatch;
  /** Hands the bodies' memory back once written (to this thread's pool, or to the worker that encoded them). */
  readonly release: () => void;
}

/**
 * Creates the pipeline. `handle` does all CPU work synchronously when called (parse, normalize, validate, encode the
 * insert bodies), then queues one write per batch: inserts are serialized (one in flight), so a caller that calls
 * `handle` for the next batch before awaiting the previous one normalizes it while the engine stores the previous.
 */
export function createPipeline(deps: PipelineDeps): Pipeline {
  let insertChain: Promise<unknown> = Promise.resolve();
  const serialized = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = insertChain.then(fn, fn);
    insertChain = run.catch(() => undefined);
    return run;
  };
  const log = deps.logger.child({ stage: 'sending' });
  return {
    async handle(records, connector = 'import') {
      const times = batchTimes(deps.clock);
      let ready: ReadyWrite | Promise<ReadyWrite>;
      if (deps.pool && records.length >= POOL_MIN_RECORDS) {
        // Off this thread: callers that keep several batches outstanding get them normalised in parallel.
        const pending = deps.pool.prepare(records, times, connector);
        // Awaited in the write queue; until then a failure must not count as an unhandled rejection.
        pending.catch(() => undefined);
        ready = pending;
      } else {
        const { counts, sources, events, encoded } = prepareWrite(records, deps.policy, times, connector);
        ready = { counts, sources, events, encoded, release: () => releaseBatch(encoded) };
      }
      // NOTE: queued in call order whatever finishes normalising first: writes stay in the order batches arrived.
      return serialized(async () => {
        const batch = await ready;
        const counts = batch.counts;
        if (deps.countDuplicates && batch.events.length > 0) {
          const seen = new Set<string>();
          for (const [source, s] of batch.sources) {
            if (!s.min) continue;
            const ids = batch.events.filter((e) => e.source === source).map((e) => e.event_id);
            for (const id of await deps.store.existingEventIds(source, ids, s.min, s.max)) seen.add(id);
          }
          const inBatch = new Set<string>();
          for (const e of batch.events) {
            if (seen.has(e.event_id) || inBatch.has(e.event_id)) counts.duplicates++;
            inBatch.add(e.event_id);
          }
        }
        counts.stored = counts.events - counts.duplicates;
        await deps.store.writeBatch(batch.encoded);
        // NOTE: stored: nothing reads the bodies again (a failed write is retried by redelivery, re-encoded).
        batch.release();
        log.debug({ count: counts.read, events: counts.events, dead: counts.dead_lettered, bytes: batch.encoded.bytes }, 'batch stored');
        if (deps.onStored && batch.events.length) await deps.onStored(batch.events);
        return counts;
      });
    },
    async deadLetter(rows) {
      await serialized(() => deps.store.insertDeadLetters(rows));
    },
  };
}
