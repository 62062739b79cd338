import { AppError } from '../../core/errors.ts';

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

/** Infrastructure failure of the bus. NOTE: kafkajs reads `retriable` too: false stops its retries and restarts. */
export class BusError extends AppError {
  declare readonly code: BusErrorCode;

  constructor(code: BusErrorCode, message: string, opts: { readonly retriable: boolean; readonly cause?: unknown }) {
    super(code, message, { retriable: opts.retriable, cause: opts.cause, status: opts.retriable ? 503 : 500 });
    this.name = 'BusError';
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
