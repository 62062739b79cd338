import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { BusMessage } from '../ingest/bus/bus.ts';
import { fromBusMessage, prepareBatch, prepareWrite } from '../ingest/pipeline.ts';
import { DEFAULT_POLICY } from '../ingest/normalizers/common.ts';
import { systemClock } from '../core/clock.ts';
import { serializeEvent, type EncodedBatch, type Store } from '../schema/store/store.ts';
import { INSERT_SETTINGS, settingsSql, type InsertPart } from '../schema/store/client.ts';
import { median, timed } from './measure.ts';

// The insert probe (research/performance.md P-4): the same batch bodies stored through the product's insert path
// and read by the engine from files with `INSERT … SELECT * FROM file(…)`, plus the old JSONEachRow paths for
// reference and the fixed cost of a one-row insert. Every pass writes into freshly created tables.

/** Figures of the insert probe. */
export interface InsertProbeResult {
  readonly batches: number;
  /** Input records (bus messages) per batch write: the batch size the pipeline works in. */
  readonly records_per_insert: number;
  readonly rows: number;
  /** auth_events rows per second (raw_events rows ride along: one per event). */
  readonly product_rows_per_s: number;
  readonly file_rows_per_s: number;
  /** product ÷ file(), median of per-round ratios. */
  readonly ratio: number;
  readonly product_cores: number;
  readonly file_cores: number;
  /** Reference: the same rows as JSONEachRow bodies, inline (chDB rawInsert) and via INFILE; null in server mode. */
  readonly json_inline_rows_per_s: number | null;
  readonly json_infile_rows_per_s: number | null;
  /** Median wall time of a one-event batch through the product path (raw + event + reconciliation row). */
  readonly one_row_insert_ms: number;
  readonly body_bytes_per_row: number;
  readonly format: string;
}

function batchesOf(messages: readonly BusMessage[], batchSize: number): EncodedBatch[] {
  const out: EncodedBatch[] = [];
  for (let i = 0; i < messages.length; i += batchSize) {
    out.push(prepareWrite(messages.slice(i, i + batchSize).map(fromBusMessage), DEFAULT_POLICY, systemClock, 'bench').encoded);
  }
  return out;
}

/** Runs the probe on embedded chDB (`store` must be embedded; `reset` re-creates the tables). */
export async function runInsertProbe(
  store: Store, reset: () => Promise<void>, messages: readonly BusMessage[], batchSize: number, rounds: number,
): Promise<InsertProbeResult> {
  const batches = batchesOf(messages, batchSize);
  const rows = batches.reduce((n, b) => n + (b.parts.find((p) => p.table === 'auth_events') ? countRows(b) : 0), 0);
  const dir = mkdtempSync(join(tmpdir(), 'accessproof-probe-'));
  try {
    // Bodies pre-written for the engine-only pass: it reads the very bytes the product path sends.
    const files = batches.map((b, i) => b.parts.map((p, j) => {
      const f = join(dir, `${i}-${j}.${p.format.toLowerCase()}`);
      writeFileSync(f, p.body);
      return { part: p, file: f };
    }));
    const jsonBodies = jsonReference(messages, batchSize);
    const product: number[] = [];
    const engine: number[] = [];
    const ratios: number[] = [];
    const productCores: number[] = [];
    const fileCores: number[] = [];
    const jsonInline: number[] = [];
    const jsonInfile: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const runProduct = async (): Promise<number> => {
        await reset();
        const s = await timed(async () => { for (const b of batches) await store.writeBatch(b); });
        productCores.push(s.cores);
        return rows / s.seconds;
      };
      const runFile = async (): Promise<number> => {
        await reset();
        const s = await timed(async () => {
          for (const parts of files) {
            // The product's insert settings here too: the two paths must ask the engine for the same work.
            await store.command(parts.map(({ part, file }) => `INSERT INTO ${part.table} (${part.columns.join(', ')}) SELECT * FROM file('${file}', ${part.format}) SETTINGS ${settingsSql(INSERT_SETTINGS)}`).join(';\n'));
          }
        });
        fileCores.push(s.cores);
        return rows / s.seconds;
      };
      let p: number;
      let f: number;
      if (round % 2 === 0) {
        p = await runProduct();
        f = await runFile();
      } else {
        f = await runFile();
        p = await runProduct();
      }
      product.push(p);
      engine.push(f);
      ratios.push(p / f);
      if (store.mode === 'embedded' && jsonBodies) {
        await reset();
        jsonInline.push(rows / (await timed(async () => { for (const b of jsonBodies) await store.insertBody('auth_events', JSON_COLUMNS, b, `probe-json-${round}-${b.length}-${Math.random()}`); })).seconds);
        await reset();
        jsonInfile.push(rows / (await timed(async () => {
          for (const b of jsonBodies) {
            const f = join(dir, 'json-body.json');
            writeFileSync(f, b);
            await store.command(`INSERT INTO auth_events (${JSON_COLUMNS.join(', ')}) FROM INFILE '${f}' FORMAT JSONEachRow`);
          }
        })).seconds);
      }
    }
    await reset();
    const one = batchesOf(messages.slice(0, 1), 1)[0] as EncodedBatch;
    const single: number[] = [];
    for (let i = 0; i < 30; i++) {
      // A distinct token per insert, or the dedup window would turn repeats into no-ops.
      const parts: InsertPart[] = one.parts.map((p) => ({ ...p, token: `${p.token}:${i}` }));
      single.push((await timed(() => store.writeBatch({ parts, bytes: one.bytes }))).seconds * 1000);
    }
    await reset();
    const bodyBytes = batches.reduce((n, b) => n + b.bytes, 0);
    return {
      batches: batches.length, records_per_insert: messages.length / Math.max(1, batches.length), rows,
      product_rows_per_s: median(product), file_rows_per_s: median(engine), ratio: median(ratios),
      product_cores: median(productCores), file_cores: median(fileCores),
      json_inline_rows_per_s: jsonInline.length ? median(jsonInline) : null,
      json_infile_rows_per_s: jsonInfile.length ? median(jsonInfile) : null,
      one_row_insert_ms: median(single), body_bytes_per_row: bodyBytes / Math.max(1, rows), format: 'Native',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function countRows(b: EncodedBatch): number {
  const part = b.parts.find((p) => p.table === 'auth_events');
  if (!part) return 0;
  // Native block header: varUInt columns, varUInt rows.
  let pos = 0;
  const readVar = (): number => {
    let v = 0, shift = 0, byte = 0;
    do {
      byte = part.body[pos++] as number;
      v += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return v;
  };
  readVar();
  return readVar();
}

const JSON_COLUMNS = [
  'source', 'source_kind', 'source_event_id', 'event_type', 'event_time', 'ingested_at', 'action', 'user', 'user_raw', 'user_type',
  'target_user', 'resource', 'resource_type', 'environment', 'privileged', 'auth_method', 'mfa_method', 'mfa_method_raw', 'mfa_verified',
  'mfa_evidence', 'phishing_resistant', 'outcome', 'reason', 'session_id', 'src_ip', 'user_agent', 'raw_sha256', 'details',
];

/** The same events as JSONEachRow bodies (the path the product used before Native), for reference only. */
function jsonReference(messages: readonly BusMessage[], batchSize: number): Buffer[] | null {
  const out: Buffer[] = [];
  for (let i = 0; i < messages.length; i += batchSize) {
    const prepared = prepareBatch(messages.slice(i, i + batchSize).map(fromBusMessage), DEFAULT_POLICY, new Date().toISOString());
    const lines = prepared.events.map((e) => {
      const o = JSON.parse(serializeEvent(e)) as Record<string, unknown>;
      delete o.event_id;
      return JSON.stringify(o);
    });
    out.push(Buffer.from(`${lines.join('\n')}\n`));
  }
  return out;
}
