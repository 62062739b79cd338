import { z } from 'zod';
import type { Store } from '../store.ts';

// Persisted facts behind `GET /v1/sources`: per source id, the newest event and today's counts; per saved
// cursor, its value and when it was saved; per connector, when it last stored a batch. Times come back as ISO.

const ISO = (col: string): string => `formatDateTime(${col}, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC')`;

/** Per source id: events and dead letters since the start of the UTC day, newest event time. */
export const SourceActivityRow = z.object({
  source: z.string(),
  newest_event_time: z.string().nullable(),
  events_today: z.coerce.number(),
  dead_letters_today: z.coerce.number(),
});
export type SourceActivityRow = z.infer<typeof SourceActivityRow>;

/** Latest saved cursor per name. */
export const CursorRow = z.object({ name: z.string(), source: z.string(), cursor: z.string(), updated_at: z.string() });
export type CursorRow = z.infer<typeof CursorRow>;

/** Last stored batch per connector and source. */
export const ConnectorBatchRow = z.object({ connector: z.string(), source: z.string(), last_batch_at: z.string() });
export type ConnectorBatchRow = z.infer<typeof ConnectorBatchRow>;

/** Runs the three reads. `day_start` is the start of today (UTC) as an ISO instant. */
export async function loadSourceActivity(store: Store, day_start: string): Promise<{ sources: SourceActivityRow[]; cursors: CursorRow[]; batches: ConnectorBatchRow[] }> {
  const day = day_start.replace('T', ' ').replace('Z', '');
  // A distinct count instead of FINAL: overlap re-reads insert the same event again until merges collapse it.
  // Counted on source_event_id (event_id is derived from it per source, and computing that ALIAS hashes every row).
  const [events, dead, cursors, batches] = await Promise.all([
    store.query<unknown>(
      `SELECT source, ${ISO('max(event_time)')} AS newest_event_time,
              uniqExactIf(source_event_id, event_time >= {day:DateTime64(3, 'UTC')}) AS events_today
       FROM auth_events GROUP BY source`, { day }),
    store.query<unknown>(
      `SELECT source, uniqExact(stage, reason, raw_sha256, input_ref) AS dead_letters_today
       FROM dead_letters WHERE received_at >= {day:DateTime64(3, 'UTC')} GROUP BY source`, { day }),
    // NOTE: aliases must differ from column names, or ClickHouse substitutes them inside the other aggregates.
    store.query<unknown>(
      `SELECT name, argMax(source, updated_at) AS src, argMax(cursor, updated_at) AS last_cursor, ${ISO('max(updated_at)')} AS saved_at
       FROM ingest_cursors GROUP BY name`),
    store.query<unknown>(
      `SELECT connector, source, ${ISO('max(received_at)')} AS last_batch_at FROM ingest_batches GROUP BY connector, source`),
  ]);
  const bySource = new Map<string, SourceActivityRow>();
  for (const r of events) {
    const e = z.object({ source: z.string(), newest_event_time: z.string(), events_today: z.coerce.number() }).parse(r);
    bySource.set(e.source, { ...e, dead_letters_today: 0 });
  }
  for (const r of dead) {
    const d = z.object({ source: z.string(), dead_letters_today: z.coerce.number() }).parse(r);
    const prev = bySource.get(d.source);
    bySource.set(d.source, prev ? { ...prev, dead_letters_today: d.dead_letters_today } : { source: d.source, newest_event_time: null, events_today: 0, dead_letters_today: d.dead_letters_today });
  }
  return {
    sources: [...bySource.values()].map((s) => SourceActivityRow.parse(s)),
    cursors: cursors.map((r) => {
      const c = z.object({ name: z.string(), src: z.string(), last_cursor: z.string(), saved_at: z.string() }).parse(r);
      return CursorRow.parse({ name: c.name, source: c.src, cursor: c.last_cursor, updated_at: c.saved_at });
    }),
    batches: batches.map((r) => ConnectorBatchRow.parse(r)),
  };
}
