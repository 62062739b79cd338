import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { RetryPolicy, Sleep } from '../../core/retry.ts';
import type { SourceId } from '../../schema/auth-event.ts';
import type { DeadLetter } from '../../schema/dead-letter.ts';
import type { InboundRecord } from '../pipeline.ts';

/** One page read from upstream, ready to store, and the checkpoint that is valid once it is stored. */
export interface SourceBatch {
  readonly records: readonly InboundRecord[];
  /** Records the framing could not use (kept as dead letters with the page reference). */
  readonly rejects: readonly DeadLetter[];
  /** Opaque resume point covering this page and everything before it. */
  readonly cursor: string;
  /** Newest vendor event time on the page, when known (status display only). */
  readonly newest_event_time?: string;
}

/**
 * Source: reads one upstream system from a saved cursor and yields batches, one per page.
 *
 * NOTE: the generator is lazy on purpose. The caller stores a batch, persists its cursor, and only then asks for
 * the next one, so a crash at any point resumes at the last stored page (at-least-once, never a gap).
 */
export interface Source {
  /** The configured name (unique; keys the saved cursor and the status). */
  readonly name: string;
  readonly type: SourceId;
  /** Reads from `cursor` (undefined on the first run) until caught up. Throws SourceError on upstream failure. */
  read(cursor: string | undefined, signal: AbortSignal): AsyncGenerator<SourceBatch, void, undefined>;
}

/** What every source needs besides its config. */
export interface SourceDeps {
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly logger: Logger;
  /** Credential values by environment-variable name (Config.secrets). */
  readonly secrets: Readonly<Record<string, string>>;
  /** Retry policy of single requests (5xx, network, rate limits); the poller backs off whole cycles on top. */
  readonly retry: RetryPolicy;
  /** Injected in tests; the global fetch otherwise. */
  readonly fetch?: typeof fetch;
}
