import type { BusMessage } from '../ingest/bus/bus.ts';
import { fromBusMessage, prepareWrite, rawEventRowOf, type InboundRecord } from '../ingest/pipeline.ts';
import { DEFAULT_POLICY } from '../ingest/normalizers/common.ts';
import { normalizerFor } from '../ingest/normalizers/index.ts';
import type { NormalizeContext } from '../ingest/normalizers/normalizer.ts';
import { validateEvents } from '../ingest/normalizers/normalize-record.ts';
import type { AuthEvent } from '../schema/auth-event.ts';
import { AuthEventsEncoder, RawEventsEncoder } from '../schema/store/bodies.ts';
import { releaseBodies } from '../schema/store/native.ts';
import { releaseBatch } from '../schema/store/store.ts';
import { systemClock } from '../core/clock.ts';
import { median } from './measure.ts';

// Where the normalise stage's time goes (P-1): one batch run in the pipeline's order (per record: parse, map,
// validate, append to the insert bodies; then the bodies are finished) with each production piece timed, in
// interleaved rounds next to the whole stage (prepareWrite) on the same batch. The pieces should sum to about the
// whole: what is left is the batch's bookkeeping (per-source figures, dead letters, ingest_batches rows).

/** The pieces, in the order the pipeline runs them. */
export const SPLIT_PIECES = ['parse', 'map', 'validate', 'encode_events', 'encode_raw'] as const;
export type SplitPiece = (typeof SPLIT_PIECES)[number];

/** µs per record of each piece and of the whole stage, medians over rounds. */
export interface NormaliseSplit {
  readonly records: number;
  readonly events: number;
  readonly us_per_record: Readonly<Record<SplitPiece | 'whole', number>>;
}

const now = (): number => performance.now();

/** Measures one source's batch; `messages` are that source's bus messages (the first `batchSize` are used). */
export function measureNormaliseSplit(messages: readonly BusMessage[], batchSize: number, rounds: number, gc: () => void): NormaliseSplit {
  const batch = messages.slice(0, batchSize);
  const records = batch.map(fromBusMessage);
  const samples: Record<SplitPiece | 'whole', number[]> = { parse: [], map: [], validate: [], encode_events: [], encode_raw: [], whole: [] };
  let eventCount = 0;
  const clock = clockReadCost(records.length);
  const perRecord = (ms: number): number => (ms * 1000) / records.length;
  for (let round = 0; round < rounds; round++) {
    const runWhole = (): void => {
      gc();
      const t = now();
      releaseBatch(prepareWrite(batch.map(fromBusMessage), DEFAULT_POLICY, systemClock, 'bench').encoded);
      samples.whole.push(perRecord(now() - t));
    };
    const runPieces = (): void => {
      gc();
      // The pipeline's own order, record by record (prepareBatch feeding prepareWrite's encoders): parse, map,
      // validate, append the raw record and the events to the insert bodies; then the bodies are finished.
      const ingestedAt = new Date().toISOString();
      const authEncoder = new AuthEventsEncoder();
      const rawEncoder = new RawEventsEncoder();
      let parse = 0;
      let map = 0;
      let validate = 0;
      let encodeRaw = 0;
      let encodeEvents = 0;
      let events = 0;
      for (const r of records) {
        const t0 = now();
        const raw = r.raw;
        const payload: unknown = JSON.parse(raw);
        const t1 = now();
        const mapped = mapOne(r, payload, ingestedAt);
        const t2 = now();
        if (validateEvents(mapped)) throw new Error('bench event failed validation');
        const t3 = now();
        const first = mapped[0];
        if (first) rawEncoder.add(rawEventRowOf(r, raw, first));
        const t4 = now();
        for (const e of mapped) authEncoder.add(e);
        const t5 = now();
        parse += t1 - t0;
        map += t2 - t1;
        validate += t3 - t2;
        encodeRaw += t4 - t3;
        encodeEvents += t5 - t4;
        events += mapped.length;
      }
      eventCount = events;
      let t = now();
      const auth = authEncoder.finish();
      encodeEvents += now() - t;
      t = now();
      const raw = rawEncoder.finish();
      encodeRaw += now() - t;
      releaseBodies([auth.body, raw.body]);
      // Each clock read is counted in the piece it ends: take its cost out again.
      samples.parse.push(perRecord(parse - clock));
      samples.map.push(perRecord(map - clock));
      samples.validate.push(perRecord(validate - clock));
      samples.encode_raw.push(perRecord(encodeRaw - clock));
      samples.encode_events.push(perRecord(encodeEvents - clock));
    };
    if (round % 2 === 0) { runWhole(); runPieces(); } else { runPieces(); runWhole(); }
  }
  const us = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) as Record<SplitPiece | 'whole', number>;
  return { records: records.length, events: eventCount, us_per_record: us };
}

/** Milliseconds that `n` clock reads take (the per-record timing adds one read per piece and record). */
export function clockReadCost(n: number): number {
  const t = now();
  let x = 0;
  for (let i = 0; i < n; i++) x += now();
  const ms = now() - t;
  return x > 0 ? ms : 0;
}

/** The production mapping of one record (its normalizer, without validation). */
export function mapOne(r: InboundRecord, payload: unknown, ingestedAt: string): AuthEvent[] {
  const normalizer = normalizerFor(r.source);
  if (!normalizer) throw new Error(`no normalizer for ${r.source}`);
  const ctx: NormalizeContext = { raw_sha256: r.raw_sha256, ingested_at: ingestedAt, policy: DEFAULT_POLICY };
  const result = normalizer.normalize(payload, ctx);
  return result.kind === 'ok' ? result.value : [];
}
