// NOTE: core/errors.ts (AppError) does not exist yet; BusError has the same shape (stable `code`, `retriable`,
// `cause`) so it can become `class BusError extends AppError` without touching callers.

/** Stable codes of bus failures. */
export type BusErrorCode =
  /** Records the group never consumed were deleted (retention) or skipped: fail closed, never reset. */
  | 'ERR_KAFKA_OFFSET_GAP'
  /** The topic does not exist; topics are created explicitly (`accessproof kafka init`). */
  | 'ERR_KAFKA_TOPIC_MISSING'
  /** The broker did not acknowledge a publish. */
  | 'ERR_KAFKA_PUBLISH'
  /** A consumer crashed and may not restart (non-retriable error or restart budget spent). */
  | 'ERR_KAFKA_CONSUMER_FAILED'
  /** Topic creation failed or an existing topic does not match its spec. */
  | 'ERR_KAFKA_TOPIC_INIT'
  /** Memory bus: nobody subscribed to the topic, so nobody can acknowledge the publish. */
  | 'ERR_BUS_NO_SUBSCRIBER'
  /** A second subscriber for the same topic and group. */
  | 'ERR_BUS_DUPLICATE_SUBSCRIBER'
  /** The subscription or bus was stopped before the batch was handled. */
  | 'ERR_BUS_STOPPED';

/** Infrastructure failure of the bus. */
export class BusError extends Error {
  override readonly name = 'BusError';
  readonly code: BusErrorCode;
  /** kafkajs reads this too: `retriable: false` stops its retries and restarts. */
  readonly retriable: boolean;

  constructor(code: BusErrorCode, message: string, opts: { readonly retriable: boolean; readonly cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.retriable = opts.retriable;
  }
}

/** Finds a BusError in an error or its `cause` chain (kafkajs wraps handler errors). */
export function findBusError(error: unknown): BusError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 10 && current instanceof Error; depth += 1) {
    if (current instanceof BusError) return current;
    current = current.cause;
  }
  return undefined;
}
