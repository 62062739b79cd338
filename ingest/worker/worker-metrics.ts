import type { Clock } from '../../core/clock.ts';

// Counters and gauges of one worker process: what `GET /v1/worker`, `GET /metrics`, the progress log line and the
// status registry (`GET /v1/sources` when the worker runs inside `start`) show. Liveness is progress-based
// (reliability §8.7): a batch that has been in flight for too long makes the worker unhealthy, heartbeats do not.

/** Per-partition position as last seen by this worker. */
export interface PartitionMetrics {
  readonly partition: number;
  /** Next offset after the last handled batch. */
  readonly next_offset: string;
  /** High watermark − next offset when the batch was fetched (0 when caught up). */
  readonly lag: number;
  readonly updated_at: string;
}

/** Everything the worker exposes. */
export interface WorkerSnapshot {
  readonly state: 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';
  readonly topic: string;
  readonly group: string;
  readonly started_at: string;
  readonly records_total: number;
  readonly events_total: number;
  readonly dead_letters_total: number;
  readonly dropped_total: number;
  readonly batches_total: number;
  readonly chunks_total: number;
  /** Chunks of a re-delivered range, checked against the store before writing (see verified/rewritten rows). */
  readonly replayed_chunks_total: number;
  readonly stale_batches_total: number;
  readonly store_retries_total: number;
  /** Records the store refused one by one (dead-lettered with stage `store`). */
  readonly store_rejects_total: number;
  /** Rows of possibly-written chunks checked against the store, and how many of them were missing and written. */
  readonly verified_rows_total: number;
  readonly rewritten_rows_total: number;
  /** Sum of the partitions' lag. */
  readonly lag: number;
  readonly partitions: readonly PartitionMetrics[];
  /** Events per second over the last progress interval. */
  readonly events_per_second: number;
  readonly records_per_second: number;
  readonly last_batch_at: string | null;
  /** When the batch in progress started, null when idle. */
  readonly batch_in_flight_since: string | null;
  readonly last_error: { readonly at: string; readonly code: string; readonly message: string } | null;
}

/** Mutable counters behind a snapshot. */
export interface WorkerMetrics {
  readonly counters: {
    records: number; events: number; deadLetters: number; dropped: number; batches: number; chunks: number;
    replayed: number; stale: number; storeRetries: number; storeRejects: number;
    verified: number; rewritten: number;
  };
  setState(state: WorkerSnapshot['state']): void;
  batchStarted(): void;
  batchFinished(partition: number, nextOffset: bigint, highWatermark: string | undefined): void;
  error(code: string, message: string): void;
  /** Rolls the throughput window; returns the rates of the elapsed interval. */
  tick(): { records_per_second: number; events_per_second: number };
  snapshot(): WorkerSnapshot;
  /** Healthy unless failed or a batch has been in flight longer than `stallMs`. */
  health(stallMs: number): { ok: boolean; reason: string };
}

/** Creates the metrics of one worker. */
export function createWorkerMetrics(opts: { readonly topic: string; readonly group: string; readonly clock: Clock }): WorkerMetrics {
  const { clock } = opts;
  const counters = {
    records: 0, events: 0, deadLetters: 0, dropped: 0, batches: 0, chunks: 0, replayed: 0, stale: 0,
    storeRetries: 0, storeRejects: 0, verified: 0, rewritten: 0,
  };
  const partitions = new Map<number, PartitionMetrics>();
  const startedAt = clock.now();
  let state: WorkerSnapshot['state'] = 'starting';
  let inFlightSince: Date | null = null;
  let lastBatchAt: Date | null = null;
  let lastError: WorkerSnapshot['last_error'] = null;
  let window = { at: startedAt.getTime(), records: 0, events: 0 };
  let rates = { records_per_second: 0, events_per_second: 0 };

  return {
    counters,
    setState(s) {
      state = s;
    },
    batchStarted() {
      inFlightSince = clock.now();
    },
    batchFinished(partition, nextOffset, highWatermark) {
      const now = clock.now();
      inFlightSince = null;
      lastBatchAt = now;
      const hw = highWatermark === undefined ? undefined : BigInt(highWatermark);
      const lag = hw === undefined || hw <= nextOffset ? 0 : Number(hw - nextOffset);
      partitions.set(partition, { partition, next_offset: nextOffset.toString(), lag, updated_at: now.toISOString() });
    },
    error(code, message) {
      lastError = { at: clock.now().toISOString(), code, message };
    },
    tick() {
      const now = clock.now().getTime();
      const seconds = Math.max(0.001, (now - window.at) / 1000);
      rates = {
        records_per_second: Math.round((counters.records - window.records) / seconds),
        events_per_second: Math.round((counters.events - window.events) / seconds),
      };
      window = { at: now, records: counters.records, events: counters.events };
      return rates;
    },
    snapshot() {
      const parts = [...partitions.values()].sort((a, b) => a.partition - b.partition);
      return {
        state, topic: opts.topic, group: opts.group, started_at: startedAt.toISOString(),
        records_total: counters.records, events_total: counters.events, dead_letters_total: counters.deadLetters,
        dropped_total: counters.dropped, batches_total: counters.batches, chunks_total: counters.chunks,
        replayed_chunks_total: counters.replayed,
        stale_batches_total: counters.stale, store_retries_total: counters.storeRetries, store_rejects_total: counters.storeRejects,
        verified_rows_total: counters.verified, rewritten_rows_total: counters.rewritten,
        lag: parts.reduce((n, p) => n + p.lag, 0), partitions: parts,
        events_per_second: rates.events_per_second, records_per_second: rates.records_per_second,
        last_batch_at: lastBatchAt?.toISOString() ?? null, batch_in_flight_since: inFlightSince?.toISOString() ?? null,
        last_error: lastError,
      };
    },
    health(stallMs) {
      if (state === 'failed') return { ok: false, reason: `failed: ${lastError?.code ?? 'unknown'}` };
      if (inFlightSince !== null && clock.now().getTime() - inFlightSince.getTime() > stallMs) {
        return { ok: false, reason: `batch in flight since ${inFlightSince.toISOString()}` };
      }
      return { ok: true, reason: state };
    },
  };
}

/** Prometheus text exposition of a snapshot (gauges and counters only; no client library needed). */
export function prometheusText(s: WorkerSnapshot): string {
  const labels = `topic="${esc(s.topic)}",group="${esc(s.group)}"`;
  const lines: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, value: number, extra = ''): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name}{${labels}${extra}} ${String(value)}`);
  };
  metric('accessproof_worker_records_total', 'counter', 'Raw records consumed and stored or dead-lettered', s.records_total);
  metric('accessproof_worker_events_total', 'counter', 'Normalized events written', s.events_total);
  metric('accessproof_worker_dead_letters_total', 'counter', 'Records dead-lettered', s.dead_letters_total);
  metric('accessproof_worker_batches_total', 'counter', 'Kafka batches committed', s.batches_total);
  metric('accessproof_worker_replayed_chunks_total', 'counter', 'Chunks of re-delivered ranges verified against the store', s.replayed_chunks_total);
  metric('accessproof_worker_store_retries_total', 'counter', 'Retried store writes', s.store_retries_total);
  metric('accessproof_worker_lag', 'gauge', 'Records behind the high watermark, all partitions of this worker', s.lag);
  metric('accessproof_worker_events_per_second', 'gauge', 'Events written per second (last interval)', s.events_per_second);
  lines.push('# HELP accessproof_worker_partition_lag Records behind the high watermark', '# TYPE accessproof_worker_partition_lag gauge');
  for (const p of s.partitions) lines.push(`accessproof_worker_partition_lag{${labels},partition="${String(p.partition)}"} ${String(p.lag)}`);
  return `${lines.join('\n')}\n`;
}

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
