import type { Clock } from '../../core/clock.ts';

/** What a component is doing right now. */
export type ConnectorState = 'starting' | 'running' | 'idle' | 'backoff' | 'failed' | 'stopped';

/** Runtime status of one ingesting component (poller, webhook, Kafka worker, receiver), keyed by a unique name. */
export interface ConnectorStatus {
  readonly name: string;
  /** Source id of the data (okta, entra, ...); '' when mixed. */
  readonly source: string;
  /** poller | webhook | kafka | receiver | ... (free text so new components need no change here). */
  readonly kind: string;
  readonly state: ConnectorState;
  readonly last_success_at: string | null;
  readonly last_error: { readonly at: string; readonly code: string; readonly message: string } | null;
  readonly consecutive_failures: number;
  /** Last time data was stored. */
  readonly last_batch_at: string | null;
  /** Newest vendor event time seen by this component. */
  readonly newest_event_time: string | null;
  /** Records handed to the pipeline since start. */
  readonly records_total: number;
  readonly next_run_at: string | null;
  /** Component-specific gauges and counters (e.g. `kafka_lag`, `pages_total`, `rate_limit_waits_total`). */
  readonly metrics: Readonly<Record<string, number>>;
}

/** One report: only the fields given change. `success`/`error` stamp the time; counters in `add` accumulate. */
export interface StatusReport {
  readonly source?: string;
  readonly kind?: string;
  readonly state?: ConnectorState;
  readonly success?: true;
  readonly error?: { readonly code: string; readonly message: string };
  readonly batch?: { readonly records: number; readonly newest_event_time?: string };
  readonly next_run_at?: string | null;
  /** Gauges to set. */
  readonly metrics?: Readonly<Record<string, number>>;
  /** Counters to add to. */
  readonly add?: Readonly<Record<string, number>>;
}

/** In-memory status shared by everything that ingests; `GET /v1/sources` reads it. */
export interface StatusRegistry {
  report(name: string, report: StatusReport): void;
  get(name: string): ConnectorStatus | undefined;
  list(): ConnectorStatus[];
}

/** Creates an empty registry (one per process, made by the composition root). */
export function createStatusRegistry(clock: Clock): StatusRegistry {
  const entries = new Map<string, ConnectorStatus>();
  return {
    report(name, r) {
      const now = clock.now().toISOString();
      const prev: ConnectorStatus = entries.get(name) ?? {
        name, source: r.source ?? '', kind: r.kind ?? 'unknown', state: 'starting', last_success_at: null, last_error: null,
        consecutive_failures: 0, last_batch_at: null, newest_event_time: null, records_total: 0, next_run_at: null, metrics: {},
      };
      const metrics: Record<string, number> = { ...prev.metrics, ...(r.metrics ?? {}) };
      for (const [k, v] of Object.entries(r.add ?? {})) metrics[k] = (metrics[k] ?? 0) + v;
      const newest = r.batch?.newest_event_time;
      entries.set(name, {
        ...prev,
        source: r.source ?? prev.source,
        kind: r.kind ?? prev.kind,
        state: r.state ?? prev.state,
        last_success_at: r.success ? now : prev.last_success_at,
        last_error: r.error ? { at: now, code: r.error.code, message: r.error.message } : prev.last_error,
        consecutive_failures: r.error ? prev.consecutive_failures + 1 : r.success ? 0 : prev.consecutive_failures,
        last_batch_at: r.batch ? now : prev.last_batch_at,
        newest_event_time: newest && (!prev.newest_event_time || newest > prev.newest_event_time) ? newest : prev.newest_event_time,
        records_total: prev.records_total + (r.batch?.records ?? 0),
        next_run_at: r.next_run_at !== undefined ? r.next_run_at : prev.next_run_at,
        metrics,
      });
    },
    get: (name) => entries.get(name),
    list: () => [...entries.values()].sort((a, b) => a.name.localeCompare(b.name)),
  };
}
