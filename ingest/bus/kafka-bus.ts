import { CompressionTypes, Partitioners, type RetryOptions } from 'kafkajs';
import type { Bus, BusMessage, Subscription } from './bus.ts';
import { BusError } from './bus-error.ts';
import { startThreadedSubscription } from './consumer-thread/subscription.ts';
import { createKafkaClient, retryPolicy, type KafkaClientSettings } from './kafka-client.ts';
import { installKafkaGzipCodec } from './kafka-gzip-codec.ts';
import type { BusLogger } from './kafka-subscription.ts';

export type { BusLogger } from './kafka-subscription.ts';

// The Kafka bus (KAFKA_BROKERS set). Producer: idempotent, one request in flight (keeps idempotence within the
// broker's 5-batch sequence window), acks from all in-sync replicas, GZIP, no topic auto-creation. publish()
// resolves only after every chunk was acknowledged. A publish that rejects may still have stored some chunks:
// callers retry the whole call and rely on idempotent writes downstream (event_id), as with any producer retry.

/** Options of {@link createKafkaBus}. Durations in milliseconds. */
export interface KafkaBusOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger?: BusLogger;
  /**
   * Called once when a subscription dies for good: ERR_KAFKA_OFFSET_GAP, a non-retriable handler error, or the
   * restart budget spent. The composition root should stop the process (fail closed). Default: log only.
   */
  readonly onFatal?: (error: BusError, ctx: { readonly topic: string; readonly group: string }) => void;
  /** kafkajs retry policy for the producer, admin and consumer internals (also how often a failing batch is retried). */
  readonly retry?: Omit<RetryOptions, 'restartOnFailure'>;
  /** Consumer restarts allowed after crashes without committed progress in between. Default 5. */
  readonly maxRestarts?: number;
  /** A crash more than this after the previous one starts a new restart budget. Default 10 min. */
  readonly restartWindowMs?: number;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** Long-poll time of a fetch; also bounds how quickly stop() takes effect. Default 1000. */
  readonly maxWaitTimeMs?: number;
  /** Must exceed the largest message (reliability §8.10). Default 2 MiB. */
  readonly maxBytesPerPartition?: number;
  /**
   * Bytes per fetch across all partitions. Default 64 MiB: above the sum of the per-partition limits of any
   * reasonable assignment, so a partition's batch depends only on its own log (a re-delivered batch is never cut
   * shorter than the first delivery, which keeps the workers' insert ranges reproducible).
   */
  readonly maxBytes?: number;
  /** How long stop() waits for an in-flight batch before marking it stale. Default 30 s. */
  readonly stopTimeoutMs?: number;
  /** publish() splits larger calls into requests of about this many bytes (broker default limit is 1 MiB). */
  readonly maxRequestBytes?: number;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
}

const SILENT: BusLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Builds the Kafka bus; connections are opened lazily on first use. */
export function createKafkaBus(opts: KafkaBusOptions): Bus {
  const logger = opts.logger ?? SILENT;
  installKafkaGzipCodec();
  const client: KafkaClientSettings = {
    brokers: opts.brokers,
    clientId: opts.clientId,
    retry: retryPolicy(opts.retry),
    connectionTimeoutMs: opts.connectionTimeoutMs ?? 3_000,
    requestTimeoutMs: opts.requestTimeoutMs ?? 30_000,
  };
  const { retry } = client;
  const kafka = createKafkaClient(client, logger);
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry,
  });
  const maxRequestBytes = opts.maxRequestBytes ?? 512 * 1024;
  const subscriptions = new Set<Subscription>();
  let producerReady: Promise<void> | undefined;
  let closed = false;

  const connectProducer = (): Promise<void> => {
    producerReady ??= producer.connect().catch((error: unknown) => {
      producerReady = undefined;
      throw error;
    });
    return producerReady;
  };
  return {
    mode: 'kafka',

    async publish(topic, messages) {
      if (closed) throw new BusError('ERR_BUS_STOPPED', 'kafka bus is closed', { retriable: false });
      for (const chunk of chunkMessages(messages, maxRequestBytes)) {
        try {
          await connectProducer();
          await producer.send({
            topic,
            acks: -1,
            compression: CompressionTypes.GZIP,
            messages: chunk.map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers } })),
          });
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new BusError('ERR_KAFKA_PUBLISH', `publish to ${topic} not acknowledged: ${reason}`, {
            retriable: true,
            cause: error,
          });
        }
      }
    },

    async subscribe(topic, group, handler) {
      if (closed) throw new BusError('ERR_BUS_STOPPED', 'kafka bus is closed', { retriable: false });
      const subscription = await startThreadedSubscription({
        client,
        settings: {
          topic,
          group,
          retry,
          sessionTimeoutMs: opts.sessionTimeoutMs ?? 30_000,
          heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 3_000,
          maxWaitTimeMs: opts.maxWaitTimeMs ?? 1_000,
          maxBytesPerPartition: opts.maxBytesPerPartition ?? 2 * 1024 * 1024,
          maxBytes: opts.maxBytes ?? 64 * 1024 * 1024,
          maxRestarts: opts.maxRestarts ?? 5,
          restartWindowMs: opts.restartWindowMs ?? 10 * 60_000,
          stopTimeoutMs: opts.stopTimeoutMs ?? 30_000,
        },
        handler,
        logger,
        onFatal:
          opts.onFatal ??
          ((error, ctx) => logger.error({ ...ctx, code: error.code }, 'kafka subscription failed; no onFatal handler')),
      });
      const handle: Subscription = {
        async stop() {
          subscriptions.delete(handle);
          await subscription.stop();
        },
      };
      subscriptions.add(handle);
      return handle;
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((s) => s.stop()));
      if (producerReady !== undefined) await producer.disconnect();
    },
  };
}

/** Splits messages into requests below `maxBytes` (approximate: key + value + headers). */
export function chunkMessages(messages: readonly BusMessage[], maxBytes: number): BusMessage[][] {
  const chunks: BusMessage[][] = [];
  let current: BusMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    let size = Buffer.byteLength(message.key) + message.value.length + 64;
    for (const [name, value] of Object.entries(message.headers)) size += Buffer.byteLength(name) + Buffer.byteLength(value) + 8;
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
