import { z } from 'zod';
import { SOURCE_KIND, type SourceId } from '../../schema/auth-event.ts';
import type { Store } from '../../schema/store/store.ts';
import type { Period } from './period.ts';
import { isoSql, type QueryLog } from './queries.ts';

// Completeness of the population ("information produced by the entity"): per source, what ingestion received,
// normalized, dead-lettered and dropped for the batches whose events fall in the period, what is stored for the
// period, how evenly the source delivered over the period (empty buckets are gaps), and its data watermark.

const T = "DateTime64(3, 'UTC')";
const n = z.coerce.number();

/** One source's reconciliation and coverage. */
export interface SourceCoverage {
  readonly source: string;
  readonly kind: string;
  readonly batches: number;
  readonly received: number;
  readonly normalized_events: number;
  readonly dead_lettered: number;
  readonly dropped: number;
  readonly stored_events: number;
  readonly stored_raw_records: number;
  /** Dead letters stored for the source, by reason (all time: dead letters have no event time). */
  readonly dead_letter_reasons: readonly { reason: string; count: number }[];
  readonly buckets_total: number;
  readonly buckets_with_events: number;
  readonly coverage_pct: number;
  /** Runs of empty buckets: [start, end) ISO. */
  readonly gaps: readonly { from: string; to: string }[];
  /** Latest event time stored for the source (any period): data complete as of. */
  readonly watermark: string | null;
}

/** Coverage granularity: hours for periods up to 3 days, else days. */
export function bucketMs(period: Period): number {
  return Date.parse(period.to) - Date.parse(period.from) <= 3 * 86_400_000 ? 3_600_000 : 86_400_000;
}

const BATCHES_SQL = `SELECT source, count() AS batches, sum(received) AS received, sum(events) AS normalized_events,
  sum(dead_lettered) AS dead_lettered, sum(dropped) AS dropped
FROM ingest_batches FINAL
WHERE min_event_time < {to:${T}} AND max_event_time >= {from:${T}}
GROUP BY source ORDER BY source`;

const STORED_SQL = `SELECT source, count() AS stored_events
FROM auth_events FINAL
WHERE event_time >= {from:${T}} AND event_time < {to:${T}}
GROUP BY source ORDER BY source`;

const RAW_SQL = `SELECT source, count() AS stored_raw_records
FROM raw_events FINAL
WHERE event_time >= {from:${T}} AND event_time < {to:${T}}
GROUP BY source ORDER BY source`;

const DEAD_SQL = `SELECT source, reason, count() AS n
FROM dead_letters FINAL
GROUP BY source, reason ORDER BY source, reason`;

const BUCKETS_SQL = `SELECT source, toUInt64(intDiv(toUnixTimestamp64Milli(event_time) - {from_ms:Int64}, {bucket_ms:Int64})) AS bucket
FROM auth_events
WHERE event_time >= {from:${T}} AND event_time < {to:${T}}
GROUP BY source, bucket ORDER BY source, bucket`;

const WATERMARK_SQL = `SELECT source, ${isoSql('max(event_time)')} AS watermark
FROM auth_events
GROUP BY source ORDER BY source`;

function byKey<R extends { source: string }>(rows: readonly R[]): Map<string, R> {
  return new Map(rows.map((r) => [r.source, r]));
}

/** Runs the reconciliation queries for the period; `configured` adds configured sources that delivered nothing. */
export async function loadCoverage(store: Store, log: QueryLog, period: Period, configured: readonly string[]): Promise<SourceCoverage[]> {
  const p = { from: period.from_ch, to: period.to_ch };
  const size = bucketMs(period);
  const fromMs = Date.parse(period.from);
  const total = Math.ceil((Date.parse(period.to) - fromMs) / size);
  const batches = (await log.run<unknown>(store, 'reconciliation_batches', 'Ingestion counters of the batches whose event-time range overlaps the period', BATCHES_SQL, p))
    .map((r) => z.object({ source: z.string(), batches: n, received: n, normalized_events: n, dead_lettered: n, dropped: n }).parse(r));
  const stored = (await log.run<unknown>(store, 'reconciliation_stored_events', 'Distinct stored events per source with event time in the period', STORED_SQL, p))
    .map((r) => z.object({ source: z.string(), stored_events: n }).parse(r));
  const raws = (await log.run<unknown>(store, 'reconciliation_stored_raw', 'Distinct stored raw records per source with event time in the period', RAW_SQL, p))
    .map((r) => z.object({ source: z.string(), stored_raw_records: n }).parse(r));
  const dead = (await log.run<unknown>(store, 'reconciliation_dead_letters', 'Dead letters per source and reason (all time)', DEAD_SQL, {}))
    .map((r) => z.object({ source: z.string(), reason: z.string(), n }).parse(r));
  const buckets = (await log.run<unknown>(store, 'coverage_buckets', `Non-empty ${size === 3_600_000 ? 'hourly' : 'daily'} buckets per source in the period`, BUCKETS_SQL,
    { ...p, from_ms: fromMs, bucket_ms: size })).map((r) => z.object({ source: z.string(), bucket: n }).parse(r));
  const marks = (await log.run<unknown>(store, 'data_watermark', 'Latest stored event time per source', WATERMARK_SQL, {}))
    .map((r) => z.object({ source: z.string(), watermark: z.string() }).parse(r));
  const sources = new Set<string>([...configured, ...batches.map((r) => r.source), ...stored.map((r) => r.source), ...marks.map((r) => r.source)]);
  const b = byKey(batches); const s = byKey(stored); const rw = byKey(raws); const w = byKey(marks);
  return [...sources].sort().map((source) => {
    const filled = new Set(buckets.filter((x) => x.source === source).map((x) => x.bucket));
    const gaps: { from: string; to: string }[] = [];
    for (let i = 0; i < total; i++) {
      if (filled.has(i)) continue;
      const start = i;
      while (i + 1 < total && !filled.has(i + 1)) i++;
      gaps.push({ from: new Date(fromMs + start * size).toISOString(), to: new Date(Math.min(fromMs + (i + 1) * size, Date.parse(period.to))).toISOString() });
    }
    const withEvents = [...filled].filter((x) => x >= 0 && x < total).length;
    return {
      source,
      kind: SOURCE_KIND[source as SourceId] ?? 'unknown',
      batches: b.get(source)?.batches ?? 0,
      received: b.get(source)?.received ?? 0,
      normalized_events: b.get(source)?.normalized_events ?? 0,
      dead_lettered: b.get(source)?.dead_lettered ?? 0,
      dropped: b.get(source)?.dropped ?? 0,
      stored_events: s.get(source)?.stored_events ?? 0,
      stored_raw_records: rw.get(source)?.stored_raw_records ?? 0,
      dead_letter_reasons: dead.filter((d) => d.source === source).map((d) => ({ reason: d.reason, count: d.n })),
      buckets_total: total,
      buckets_with_events: withEvents,
      coverage_pct: total ? Math.round((withEvents / total) * 10000) / 100 : 0,
      gaps,
      watermark: w.get(source)?.watermark ?? null,
    };
  });
}
