import { createHash, randomUUID } from 'node:crypto';
import type { AuthEvent } from '../auth-event.ts';
import type { DeadLetter } from '../dead-letter.ts';
import type { InsertPart } from './client.ts';
import {
  boolColumn, bytesColumn, encodeNative, isoToMs, NativeBlockBuilder, repeatedStringColumn, stringColumn, stringMapColumn, time64Column, uint64Column,
  type NativeColumn,
} from './native.ts';
import type { IngestBatchRow, RawEventRow } from './store.ts';

// Insert bodies of the ingest tables in ClickHouse Native format, built by the JS thread in one pass per column
// and read by the engine without parsing text. Deduplication tokens are digests of the rows' content (plus a
// per-process nonce, see contentToken), so a batch retried by this process adds nothing.

/** Epoch ms of an ISO instant; the batch's shared timestamps (ingested_at, received_at) hit the one-entry cache. */
function makeMsOf(): (iso: string) => number {
  let lastIso = '';
  let lastMs = 0;
  return (iso) => {
    if (iso === lastIso) return lastMs;
    const ms = isoToMs(iso);
    if (!Number.isFinite(ms)) throw new RangeError(`not an instant: ${iso}`);
    lastIso = iso;
    lastMs = ms;
    return ms;
  };
}

/** Stored columns of auth_events in insert order (event_id is an ALIAS of source + source_event_id). */
export const AUTH_EVENT_STORED_COLUMNS = [
  'source', 'source_kind', 'source_event_id', 'event_type', 'event_time', 'ingested_at', 'action', 'user', 'user_raw',
  'user_type', 'target_user', 'resource', 'resource_type', 'environment', 'privileged', 'auth_method', 'mfa_method',
  'mfa_method_raw', 'mfa_verified', 'mfa_evidence', 'phishing_resistant', 'outcome', 'reason', 'session_id', 'src_ip',
  'user_agent', 'raw_sha256', 'details',
] as const satisfies readonly (keyof AuthEvent)[];

type StringColumnName = Exclude<(typeof AUTH_EVENT_STORED_COLUMNS)[number],
  'event_time' | 'ingested_at' | 'privileged' | 'mfa_verified' | 'phishing_resistant' | 'details'>;

/**
 * One accessor per string column. NOTE: written out, not `(e) => e[name]`: a shared keyed read sees every column
 * name and goes megamorphic, which made reading the fields a large share of encoding.
 */
const STRING_GETTERS: Readonly<Record<StringColumnName, (e: AuthEvent) => string>> = {
  source: (e) => e.source, source_kind: (e) => e.source_kind, source_event_id: (e) => e.source_event_id,
  event_type: (e) => e.event_type, action: (e) => e.action, user: (e) => e.user, user_raw: (e) => e.user_raw,
  user_type: (e) => e.user_type, target_user: (e) => e.target_user, resource: (e) => e.resource,
  resource_type: (e) => e.resource_type, environment: (e) => e.environment, auth_method: (e) => e.auth_method,
  mfa_method: (e) => e.mfa_method, mfa_method_raw: (e) => e.mfa_method_raw, mfa_evidence: (e) => e.mfa_evidence,
  outcome: (e) => e.outcome, reason: (e) => e.reason, session_id: (e) => e.session_id, src_ip: (e) => e.src_ip,
  user_agent: (e) => e.user_agent, raw_sha256: (e) => e.raw_sha256,
};

/** Columns whose values repeat across rows (encoded once per batch and copied). */
const REPEATED: ReadonlySet<string> = new Set([
  'source', 'source_kind', 'event_type', 'action', 'user_type', 'target_user', 'resource', 'resource_type', 'environment',
  'auth_method', 'mfa_method', 'mfa_method_raw', 'mfa_evidence', 'outcome', 'reason', 'user_agent',
]);

function authEventColumns(): NativeColumn<AuthEvent>[] {
  const eventMs = makeMsOf();
  const ingestMs = makeMsOf();
  return AUTH_EVENT_STORED_COLUMNS.map((name): NativeColumn<AuthEvent> => {
    switch (name) {
      case 'event_time': return time64Column(name, (e) => eventMs(e.event_time));
      case 'ingested_at': return time64Column(name, (e) => ingestMs(e.ingested_at));
      case 'privileged': return boolColumn(name, (e) => e.privileged);
      case 'mfa_verified': return boolColumn(name, (e) => e.mfa_verified);
      case 'phishing_resistant': return boolColumn(name, (e) => e.phishing_resistant);
      case 'details': return stringMapColumn(name, (e) => e.details);
      default: return REPEATED.has(name) ? repeatedStringColumn(name, STRING_GETTERS[name]) : stringColumn(name, STRING_GETTERS[name]);
    }
  });
}

/**
 * Reusable builders: a builder's column buffers keep their capacity from one batch to the next (a 10k-event batch
 * encodes to several MB; allocating that afresh per batch costs page faults). A builder is taken while in use, so
 * two blocks being built never share one.
 */
interface BuilderPool<T> {
  take(): NativeBlockBuilder<T>;
  give(b: NativeBlockBuilder<T>): void;
}

function builderPool<T>(columns: () => NativeColumn<T>[]): BuilderPool<T> {
  const free: NativeBlockBuilder<T>[] = [];
  return {
    take: () => free.pop() ?? new NativeBlockBuilder(columns()),
    give: (b) => {
      if (b.rows === 0 && free.length < 2) free.push(b);
    },
  };
}

const AUTH_BUILDERS = builderPool(authEventColumns);

/**
 * One table's rows encoded as they are produced, on a builder taken from `pool` at the first row until the block is
 * finished. NOTE: taken at the first row, not up front: an encoder that gets no rows (a batch of dropped records) is
 * never finished, and a builder taken for it would never go back to the pool.
 */
class TableEncoder<T> {
  private builder: NativeBlockBuilder<T> | undefined;

  constructor(private readonly pool: BuilderPool<T>) {}

  add(row: T): void {
    (this.builder ??= this.pool.take()).add(row);
  }

  get rows(): number {
    return this.builder?.rows ?? 0;
  }

  /** The finished block; the encoder must not be used afterwards. */
  protected block(): { body: Buffer; starts: number[] } {
    const builder = this.builder ?? this.pool.take();
    const block = builder.finish();
    this.pool.give(builder);
    return block;
  }
}

/** Encodes auth_events rows one by one, as they are produced; `finish` gives the insert. */
export class AuthEventsEncoder extends TableEncoder<AuthEvent> {
  constructor() {
    super(AUTH_BUILDERS);
  }

  /** The insert of the rows added (token = digest of the body). */
  finish(): InsertPart {
    const { body } = this.block();
    return { table: 'auth_events', columns: AUTH_EVENT_STORED_COLUMNS, format: 'Native', body, token: bodyToken('auth_events', body) };
  }
}

/** Rows → one insert through a fresh encoder of their table. */
function encodeAll<T>(encoder: TableEncoder<T> & { finish(): InsertPart }, rows: readonly T[]): InsertPart {
  for (const r of rows) encoder.add(r);
  return encoder.finish();
}

/** auth_events rows → one Native insert. */
export function authEventsPart(events: readonly AuthEvent[]): InsertPart {
  return encodeAll(new AuthEventsEncoder(), events);
}

const RAW_COLUMNS = ['raw_sha256', 'source', 'event_time', 'received_at', 'input_ref', 'raw'] as const;

function rawEventColumns(): NativeColumn<RawEventRow>[] {
  const timeMs = makeMsOf();
  const receivedMs = makeMsOf();
  return [
    stringColumn('raw_sha256', (r) => r.raw_sha256),
    repeatedStringColumn('source', (r) => r.source),
    time64Column('event_time', (r) => timeMs(r.event_time)),
    time64Column('received_at', (r) => receivedMs(r.received_at)),
    stringColumn('input_ref', (r) => r.input_ref),
    // The record bytes as they arrived (no re-encoding, no escaping).
    bytesColumn('raw', (r) => r.raw_bytes ?? Buffer.from(r.raw, 'utf8')),
  ];
}

const RAW_BUILDERS = builderPool(rawEventColumns);

/** Encodes raw_events rows one by one, as they are produced; `finish` gives the insert. */
export class RawEventsEncoder extends TableEncoder<RawEventRow> {
  constructor() {
    super(RAW_BUILDERS);
  }

  /**
   * The insert of the rows added. The token digests every column but `raw`, which `raw_sha256` already identifies:
   * hashing the 1–4 KB records again would cost more than the rest.
   */
  finish(): InsertPart {
    const { body, starts } = this.block();
    // Every column before `raw` (the last one) is in body[0, start of raw): exactly the bytes the token covers.
    const token = createHash('sha256').update(body.subarray(0, starts[starts.length - 1])).digest('hex');
    return { table: 'raw_events', columns: RAW_COLUMNS, format: 'Native', body, token: contentToken('raw_events', token) };
  }
}

/** raw_events rows → one Native insert. */
export function rawEventsPart(rows: readonly RawEventRow[]): InsertPart {
  return encodeAll(new RawEventsEncoder(), rows);
}

const DEAD_LETTER_COLUMNS = ['source', 'stage', 'received_at', 'input_ref', 'reason', 'detail', 'raw', 'raw_sha256'] as const;

/** dead_letters rows → one Native insert. */
export function deadLettersPart(rows: readonly DeadLetter[]): InsertPart {
  const receivedMs = makeMsOf();
  const body = encodeNative(rows, [
    stringColumn('source', (r) => r.source),
    stringColumn('stage', (r) => r.stage),
    time64Column('received_at', (r) => receivedMs(r.received_at)),
    stringColumn('input_ref', (r) => r.input_ref),
    stringColumn('reason', (r) => r.reason),
    stringColumn('detail', (r) => r.detail),
    stringColumn('raw', (r) => r.raw),
    stringColumn('raw_sha256', (r) => r.raw_sha256),
  ]);
  return { table: 'dead_letters', columns: DEAD_LETTER_COLUMNS, format: 'Native', body, token: bodyToken('dead_letters', body) };
}

const BATCH_COLUMNS = ['batch_id', 'source', 'connector', 'received_at', 'min_event_time', 'max_event_time', 'received', 'events', 'dead_lettered', 'dropped'] as const;

/** ingest_batches rows → one Native insert. */
export function ingestBatchesPart(rows: readonly IngestBatchRow[]): InsertPart {
  const ms = (iso: string): number => {
    const v = isoToMs(iso);
    return Number.isFinite(v) ? v : 0;
  };
  const body = encodeNative(rows, [
    stringColumn('batch_id', (r) => r.batch_id),
    stringColumn('source', (r) => r.source),
    stringColumn('connector', (r) => r.connector),
    time64Column('received_at', (r) => ms(r.received_at)),
    time64Column('min_event_time', (r) => ms(r.min_event_time)),
    time64Column('max_event_time', (r) => ms(r.max_event_time)),
    uint64Column('received', (r) => r.received),
    uint64Column('events', (r) => r.events),
    uint64Column('dead_lettered', (r) => r.dead_lettered),
    uint64Column('dropped', (r) => r.dropped),
  ]);
  return { table: 'ingest_batches', columns: BATCH_COLUMNS, format: 'Native', body, token: bodyToken('ingest_batches', body) };
}

/**
 * NOTE: content tokens carry a per-process nonce. A retry inside this process re-sends the same token and adds
 * nothing; after a crash, single-node ClickHouse may have recorded a token whose rows never committed, so a restarted
 * process must not reuse it — its re-insert goes through and event_id idempotency (ReplacingMergeTree + FINAL)
 * removes any overlap. (Kafka workers replace these with offset-range tokens and their own crash recovery.)
 */
let PROCESS_NONCE: string = randomUUID();

/** This process's token nonce (handed to normalise workers, whose tokens must match the main thread's). */
export function processNonce(): string {
  return PROCESS_NONCE;
}

/** Makes a worker thread's tokens those of its process. */
export function adoptProcessNonce(nonce: string): void {
  PROCESS_NONCE = nonce;
}

/** The insert_deduplication_token of a body whose content digests to `digestHex`. */
export function contentToken(table: string, digestHex: string): string {
  return `${table}:${PROCESS_NONCE}:${digestHex}`;
}

/** The insert_deduplication_token of a whole body. */
export function bodyToken(table: string, body: Buffer): string {
  return contentToken(table, createHash('sha256').update(body).digest('hex'));
}
