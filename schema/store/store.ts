import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import type { AuthEvent } from '../auth-event.ts';
import type { DeadLetter } from '../dead-letter.ts';
import { AppError } from '../../core/errors.ts';
import { authEventsPart, bodyToken, deadLettersPart, ingestBatchesPart, rawEventsPart } from './bodies.ts';
import { releaseBodies } from './native.ts';
import { migrate } from './migrate.ts';
import { openStoreClient, type InsertPart, type StoreClient, type StoreTarget } from './client.ts';

/** ClickHouse DateTime64 text for an ISO instant ("2025-03-11T09:00:05.123Z" → "2025-03-11 09:00:05.123"). */
export function chTime(iso: string): string {
  return iso.length >= 23 ? `${iso.slice(0, 10)} ${iso.slice(11, 23)}` : iso.replace('T', ' ').replace('Z', '');
}

/** A raw upstream record kept for evidence. */
export interface RawEventRow {
  raw_sha256: string;
  source: string;
  event_time: string;
  received_at: string;
  input_ref: string;
  /** The record text; '' when `raw_bytes` carries the record (only one of the two is kept per row). */
  raw: string;
  /** The record's UTF-8 bytes when the caller still has them (bus messages): stored without re-encoding. */
  raw_bytes?: Uint8Array;
}

/** One row of the completeness reconciliation. */
export interface IngestBatchRow {
  batch_id: string;
  source: string;
  connector: string;
  received_at: string;
  min_event_time: string;
  max_event_time: string;
  received: number;
  events: number;
  dead_lettered: number;
  dropped: number;
}

/** Everything one pipeline batch writes, in write order: raw records before the events that point at them. */
export interface BatchWrite {
  readonly raws: readonly RawEventRow[];
  readonly events: readonly AuthEvent[];
  readonly deadLetters: readonly DeadLetter[];
  readonly ingestBatches: readonly IngestBatchRow[];
}

/** A batch encoded as insert bodies (CPU work done), ready for one engine round trip. */
export interface EncodedBatch {
  readonly parts: readonly InsertPart[];
  readonly bytes: number;
}

const RELEASED = new WeakSet<EncodedBatch>();

/**
 * Hands an encoded batch's body memory back for reuse by later batches. Call it only once nothing will read the
 * batch again; writeBatch does so itself after a successful write.
 */
export function releaseBatch(batch: EncodedBatch): void {
  if (RELEASED.has(batch)) return;
  RELEASED.add(batch);
  releaseBodies(batch.parts.map((p) => p.body));
}

/** Encodes a batch's rows as Native insert bodies, in write order; empty tables are left out. */
export function encodeBatch(b: BatchWrite): EncodedBatch {
  return batchOf({
    raws: b.raws.length ? rawEventsPart(b.raws) : null,
    events: b.events.length ? authEventsPart(b.events) : null,
    deadLetters: b.deadLetters.length ? deadLettersPart(b.deadLetters) : null,
    ingestBatches: b.ingestBatches.length ? ingestBatchesPart(b.ingestBatches) : null,
  });
}

/** Each table's insert of one batch (null: nothing to insert). */
export type BatchParts = { readonly [K in keyof BatchWrite]: InsertPart | null };

/** A batch's inserts in write order. NOTE: raw before events: an event in auth_events always has its raw record. */
export function batchOf(p: BatchParts): EncodedBatch {
  const parts = [p.raws, p.events, p.deadLetters, p.ingestBatches].filter((x): x is InsertPart => x !== null);
  return { parts, bytes: parts.reduce((n, x) => n + x.body.length, 0) };
}

/** Serializes one AuthEvent as a JSONEachRow line in column order (times in ClickHouse text form). */
export function serializeEvent(e: AuthEvent): string {
  return JSON.stringify({ ...e, event_time: chTime(e.event_time), ingested_at: chTime(e.ingested_at) });
}

/** Serializes arbitrary rows; keys named in `timeKeys` are converted to ClickHouse time text. */
function serializeRows<T extends object>(rows: readonly T[], timeKeys: readonly string[]): Buffer {
  const lines: string[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = { ...(rows[i] as Record<string, unknown>) };
    for (const k of timeKeys) if (typeof r[k] === 'string') r[k] = chTime(r[k] as string);
    lines[i] = JSON.stringify(r);
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

/** Store: idempotent writes of events, raw records and rejects; parameterized reads. */
export interface Store {
  readonly client: ClickHouseClient;
  readonly mode: 'embedded' | 'server';
  /** Inserts a pre-serialized JSONEachRow body. `dedupToken` makes a retried insert add nothing. */
  insertBody(table: string, columns: readonly string[], body: Buffer, dedupToken: string): Promise<void>;
  /**
   * Writes a batch encoded by {@link encodeBatch}: embedded, one engine call for all its tables, so the next batch
   * can be normalized on the JS thread meanwhile. Resolves when everything is stored. The caller may then hand the
   * bodies' memory back with {@link releaseBatch} (unless it will write the same batch again).
   */
  writeBatch(batch: EncodedBatch): Promise<void>;
  insertEvents(events: readonly AuthEvent[]): Promise<void>;
  insertRawEvents(rows: readonly RawEventRow[]): Promise<void>;
  insertDeadLetters(rows: readonly DeadLetter[]): Promise<void>;
  insertIngestBatch(row: IngestBatchRow): Promise<void>;
  /** Generic insert of plain rows (small tables: tokens, exemptions, trails). */
  insertRows(table: string, rows: readonly object[], timeKeys?: readonly string[]): Promise<void>;
  /** Runs a parameterized query ({name:Type} placeholders) and returns the rows. */
  query<T>(sql: string, params?: Record<string, unknown>): Promise<T[]>;
  /** Runs a parameterized statement. */
  command(sql: string, params?: Record<string, unknown>): Promise<void>;
  /** Which of these event ids are already stored (for duplicate counts). */
  existingEventIds(source: string, ids: readonly string[], minTime: string, maxTime: string): Promise<Set<string>>;
  getCursor(name: string): Promise<string | undefined>;
  setCursor(name: string, source: string, cursor: string): Promise<void>;
  close(): Promise<void>;
}

/** Wraps a connected StoreClient as a Store. */
export function createStore(sc: StoreClient): Store {
  const { client } = sc;
  const insertBody = async (table: string, columns: readonly string[], body: Buffer, dedupToken: string): Promise<void> => {
    const settings = { insert_deduplication_token: dedupToken, date_time_input_format: 'best_effort' as const };
    if (sc.rawInsert) {
      await sc.rawInsert(table, body, columns, settings);
      return;
    }
    await client.insert({ table, values: Readable.from([body]), format: 'JSONEachRow', columns: [...columns] as [string, ...string[]], clickhouse_settings: settings });
  };
  const insertRows = async (table: string, rows: readonly object[], timeKeys: readonly string[] = []): Promise<void> => {
    if (rows.length === 0) return;
    const body = serializeRows(rows, timeKeys);
    await insertBody(table, Object.keys(rows[0] as object), body, bodyToken(table, body));
  };
  const query = async <T>(sql: string, params: Record<string, unknown> = {}): Promise<T[]> => {
    const rs = await client.query({ query: sql, query_params: params, format: 'JSONEachRow' });
    return rs.json<T>();
  };
  let lastCursorMs = 0;
  const writeBatch = async (batch: EncodedBatch): Promise<void> => {
    if (RELEASED.has(batch)) throw new AppError('ERR_STORE_INSERT', 'this batch was released; its memory may be reused');
    await sc.insertParts(batch.parts);
  };
  const write = async (b: Partial<BatchWrite>): Promise<void> => {
    const encoded = encodeBatch({ raws: b.raws ?? [], events: b.events ?? [], deadLetters: b.deadLetters ?? [], ingestBatches: b.ingestBatches ?? [] });
    await writeBatch(encoded);
    releaseBatch(encoded);
  };
  return {
    client,
    mode: sc.mode,
    insertBody,
    insertRows,
    query,
    writeBatch,
    insertEvents: (events) => write({ events }),
    insertRawEvents: (raws) => write({ raws }),
    insertDeadLetters: (deadLetters) => write({ deadLetters }),
    insertIngestBatch: (row) => write({ ingestBatches: [row] }),
    async command(sql, params = {}) {
      await client.command({ query: sql, query_params: params });
    },
    async existingEventIds(source, ids, minTime, maxTime) {
      if (ids.length === 0) return new Set();
      const rows = await query<{ id: string }>(
        // NOTE: the alias must not be `event_id`: ClickHouse would substitute it into the WHERE clause.
        `SELECT DISTINCT toString(event_id) AS id FROM auth_events
         WHERE source = {source:String}
           AND event_time BETWEEN {min:DateTime64(3, 'UTC')} AND {max:DateTime64(3, 'UTC')}
           AND event_id IN {ids:Array(UUID)}`,
        { source, min: chTime(minTime), max: chTime(maxTime), ids },
      );
      return new Set(rows.map((r) => r.id));
    },
    async getCursor(name) {
      const rows = await query<{ cursor: string }>(
        'SELECT argMax(cursor, updated_at) AS cursor FROM ingest_cursors WHERE name = {name:String} GROUP BY name', { name });
      return rows[0]?.cursor;
    },
    async setCursor(name, source, cursor) {
      // NOTE: strictly increasing per store: two saves in the same millisecond would tie in argMax(cursor, updated_at).
      lastCursorMs = Math.max(Date.now(), lastCursorMs + 1);
      await insertRows('ingest_cursors', [{ name, source, cursor, updated_at: new Date(lastCursorMs).toISOString() }], ['updated_at']);
    },
    close: () => sc.close(),
  };
}

/** Opens the store for a target, applies migrations and retention, and returns it ready. */
export async function openStore(target: StoreTarget, opts: { retentionDays?: number } = {}): Promise<Store> {
  const sc = await openStoreClient(target);
  try {
    await migrate(sc.client, { ...opts, cluster: target.cluster });
  } catch (e) {
    await sc.close();
    throw e;
  }
  return createStore(sc);
}
