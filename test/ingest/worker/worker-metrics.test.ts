import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../core/clock.ts';
import { createWorkerMetrics, prometheusText } from '../../../ingest/worker/worker-metrics.ts';

function manualClock(iso: string): Clock & { advance(ms: number): void } {
  let t = Date.parse(iso);
  return { now: () => new Date(t), advance: (ms) => { t += ms; } };
}

describe('worker metrics', () => {
  it('tracks lag per partition from the high watermark and throughput per interval', () => {
    const clock = manualClock('2025-03-11T10:00:00.000Z');
    const m = createWorkerMetrics({ topic: 'accessproof.raw', group: 'workers', clock });
    m.setState('running');
    m.batchStarted();
    m.counters.records += 500;
    m.counters.events += 480;
    m.batchFinished(3, 1500n, '1800');
    m.batchFinished(1, 90n, '90');
    clock.advance(2000);
    expect(m.tick()).toEqual({ records_per_second: 250, events_per_second: 240 });
    const s = m.snapshot();
    expect(s.partitions).toEqual([
      { partition: 1, next_offset: '90', lag: 0, updated_at: '2025-03-11T10:00:00.000Z' },
      { partition: 3, next_offset: '1500', lag: 300, updated_at: '2025-03-11T10:00:00.000Z' },
    ]);
    expect(s.lag).toBe(300);
    expect(s.batch_in_flight_since).toBeNull();
    expect(prometheusText(s)).toContain('accessproof_worker_partition_lag{topic="accessproof.raw",group="workers",partition="3"} 300');
    expect(prometheusText(s)).toContain('accessproof_worker_events_total{topic="accessproof.raw",group="workers"} 480');
  });

  it('health is progress-based: a batch in flight too long, or a failure, makes the worker unhealthy', () => {
    const clock = manualClock('2025-03-11T10:00:00.000Z');
    const m = createWorkerMetrics({ topic: 't', group: 'g', clock });
    m.setState('running');
    expect(m.health(60_000)).toEqual({ ok: true, reason: 'running' });
    m.batchStarted();
    clock.advance(59_000);
    expect(m.health(60_000).ok).toBe(true);
    clock.advance(2_000);
    expect(m.health(60_000)).toEqual({ ok: false, reason: 'batch in flight since 2025-03-11T10:00:00.000Z' });
    m.batchFinished(0, 1n, undefined);
    expect(m.health(60_000).ok).toBe(true);
    m.error('ERR_KAFKA_OFFSET_GAP', 'gap');
    m.setState('failed');
    expect(m.health(60_000)).toEqual({ ok: false, reason: 'failed: ERR_KAFKA_OFFSET_GAP' });
  });
});
