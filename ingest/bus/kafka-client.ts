import { Kafka, logLevel, type LogEntry, type RetryOptions } from 'kafkajs';
import type { BusLogger } from './kafka-subscription.ts';

// The kafkajs client settings shared by the bus (producer, admin) and its consumer threads, which build their own
// client from the same values.

/** What a kafkajs client is built from; plain data, so a consumer thread receives it as is. */
export interface KafkaClientSettings {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly retry: Required<Omit<RetryOptions, 'restartOnFailure'>>;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

/** The retry policy with every field set: kafkajs silently swaps in tiny test defaults when NODE_ENV=test. */
export function retryPolicy(overrides: Omit<RetryOptions, 'restartOnFailure'> = {}): KafkaClientSettings['retry'] {
  return { initialRetryTime: 300, maxRetryTime: 30_000, retries: 8, factor: 0.2, multiplier: 2, ...overrides } as KafkaClientSettings['retry'];
}

/** A kafkajs client whose logs go to `logger`. */
export function createKafkaClient(settings: KafkaClientSettings, logger: BusLogger): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: [...settings.brokers],
    retry: settings.retry,
    connectionTimeout: settings.connectionTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    logLevel: logLevel.INFO,
    logCreator: () => (entry) => forwardLog(logger, entry),
  });
}

/**
 * kafkajs INFO is lifecycle chatter (joins, connects): debug. Its `Connection` namespace logs every error
 * response at ERROR even when the request is retried: warn; failures that matter surface as BusErrors.
 */
function forwardLog(logger: BusLogger, entry: LogEntry): void {
  const { message, ...extra } = entry.log;
  const obj = { stage: 'kafka', namespace: entry.namespace, ...extra };
  if (entry.level === logLevel.ERROR && entry.namespace !== 'Connection') logger.error(obj, message);
  else if (entry.level === logLevel.ERROR || (entry.level === logLevel.WARN && !message.startsWith(BOUNDED_RETRIES))) {
    logger.warn(obj, message);
  } else logger.debug(obj, message);
}

// Bounded producer retries are deliberate (publish must reject so the Source keeps its cursor); retried sends
// are treated as possible duplicates downstream anyway, so this start-up warning is not actionable.
const BOUNDED_RETRIES = 'Limiting retries for the idempotent producer';
