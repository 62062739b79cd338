import type { Clock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { backoffDelay, type RetryPolicy, type Sleep } from '../../core/retry.ts';
import type { Store } from '../../schema/store/store.ts';
import type { RunningConnector } from '../connectors.ts';
import type { Pipeline } from '../pipeline.ts';
import type { Source } from './source.ts';
import type { StatusRegistry } from './status-registry.ts';

/** What a poller needs. */
export interface PollerDeps {
  readonly source: Source;
  readonly store: Store;
  readonly pipeline: Pipeline;
  readonly status: StatusRegistry;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly sleep: Sleep;
  /** Pause between cycles once caught up. */
  readonly interval_ms: number;
  /** Backoff between failed cycles; `retries` is ignored: a running poller keeps trying, at most `max_ms` apart. */
  readonly failure_backoff: RetryPolicy;
}

/** Totals of one poll cycle. */
export interface CycleResult {
  pages: number;
  records: number;
  events: number;
  dead_lettered: number;
  /** False when the cycle stopped early (maxPages). */
  caught_up: boolean;
}

/** A running poller: one background loop per configured source. */
export interface Poller extends RunningConnector {
  /** Name in ingest_cursors. */
  readonly cursor_name: string;
  /** One cycle: resume from the saved cursor and store pages until caught up (or `maxPages`). Throws on failure. */
  runOnce(opts?: { maxPages?: number }): Promise<CycleResult>;
  /** Starts the loop: cycle, wait `interval` (or the failure backoff), repeat until stopped. */
  start(): void;
}

/** Default backoff between failed cycles: 5 s doubling to 15 min. */
export const CYCLE_BACKOFF: RetryPolicy = { retries: Number.MAX_SAFE_INTEGER, base_ms: 5_000, max_ms: 15 * 60_000, factor: 2, jitter: 0.2 };

/** The ingest_cursors name of a configured source. */
export function pollerCursorName(name: string): string {
  return `poll:${name}`;
}

/**
 * Creates a poller. The acknowledgement chain per page: pipeline.handle resolves (events stored) → the page's
 * cursor is saved → only then is the next page requested.
 */
export function createPoller(deps: PollerDeps): Poller {
  const { source, store, pipeline, status } = deps;
  const name = source.name;
  const cursor_name = pollerCursorName(name);
  const connector = `poller:${name}`;
  const log = deps.logger.child({ stage: 'receiving', source: source.type, name });
  const controller = new AbortController();
  let loop: Promise<void> | undefined;
  status.report(name, { source: source.type, kind: 'poller', state: 'starting' });

  const runOnce = async (opts: { maxPages?: number } = {}): Promise<CycleResult> => {
    const result: CycleResult = { pages: 0, records: 0, events: 0, dead_lettered: 0, caught_up: true };
    let cursor = await store.getCursor(cursor_name);
    status.report(name, { state: 'running' });
    const started = deps.clock.now().getTime();
    for await (const batch of source.read(cursor, controller.signal)) {
      if (batch.rejects.length) await pipeline.deadLetter(batch.rejects);
      const counts = batch.records.length ? await pipeline.handle(batch.records, connector) : undefined;
      // NOTE: the cursor is saved only after the page is stored; saving it first could lose the page on a crash.
      if (batch.cursor !== cursor) {
        await store.setCursor(cursor_name, source.type, batch.cursor);
        cursor = batch.cursor;
      }
      result.pages++;
      result.records += batch.records.length;
      result.events += counts?.events ?? 0;
      result.dead_lettered += (counts?.dead_lettered ?? 0) + batch.rejects.length;
      status.report(name, {
        batch: { records: batch.records.length, newest_event_time: batch.newest_event_time },
        add: { pages_total: 1, events_total: counts?.events ?? 0, dead_letters_total: (counts?.dead_lettered ?? 0) + batch.rejects.length },
      });
      if (opts.maxPages !== undefined && result.pages >= opts.maxPages) {
        result.caught_up = false;
        break;
      }
    }
    status.report(name, { success: true, state: 'idle' });
    log.debug({ pages: result.pages, records: result.records, durationMs: deps.clock.now().getTime() - started }, 'poll cycle done');
    return result;
  };

  const run = async (): Promise<void> => {
    let failures = 0;
    log.info({ interval_ms: deps.interval_ms }, 'poller started');
    while (!controller.signal.aborted) {
      let delay = deps.interval_ms;
      try {
        const r = await runOnce();
        failures = 0;
        if (r.records > 0) log.info({ pages: r.pages, records: r.records, events: r.events, dead_lettered: r.dead_lettered }, 'poll cycle stored');
      } catch (e) {
        if (controller.signal.aborted) break;
        const code = e instanceof AppError ? e.code : 'ERR_SOURCE_UNKNOWN';
        const message = (e as Error).message;
        delay = backoffDelay(deps.failure_backoff, failures);
        failures++;
        status.report(name, { error: { code, message }, state: 'backoff' });
        const fields = { code, failures, retry_in_ms: delay, err: { message } };
        if (e instanceof AppError && e.retriable) log.warn(fields, 'poll cycle failed');
        else log.error(fields, 'poll cycle failed');
      }
      status.report(name, { next_run_at: new Date(deps.clock.now().getTime() + delay).toISOString() });
      try {
        await deps.sleep(delay, controller.signal);
      } catch {
        break;
      }
    }
    status.report(name, { state: 'stopped', next_run_at: null });
    log.info('poller stopped');
  };

  return {
    name: connector,
    cursor_name,
    runOnce,
    start() {
      loop ??= run();
    },
    async stop() {
      controller.abort();
      await loop;
      if (!loop) status.report(name, { state: 'stopped', next_run_at: null });
    },
  };
}
