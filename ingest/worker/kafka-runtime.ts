import type { AppContext } from '../../core/context.ts';
import { UsageError } from '../../core/errors.ts';
import type { Store } from '../../schema/store/store.ts';
import { createCorrelationMarker } from '../correlate/dirty.ts';
import type { Bus } from '../bus/bus.ts';
import type { BusError } from '../bus/bus-error.ts';
import { createKafkaBus } from '../bus/kafka-bus.ts';
import { createPublishingPipeline, type PublishingPipeline } from '../bus/publishing-pipeline.ts';
import type { StatusRegistry } from '../sources/status-registry.ts';
import { createWorker, type Worker, type WorkerTestHooks } from './worker.ts';

// Scale-out wiring shared by `ingest`, `start` and `worker`: everything that turns the validated config into a
// Kafka bus, a publishing pipeline for connectors, or a worker.

/** Largest record a worker fetches per partition; must exceed the largest message (reliability §8.10). */
const MAX_BYTES_PER_PARTITION = 2 * 1024 * 1024;

/** Throws a usage error unless KAFKA_BROKERS is set. */
export function requireKafka(ctx: AppContext, command: string): readonly string[] {
  if (ctx.config.bus.mode !== 'kafka') throw new UsageError(`${command} needs KAFKA_BROKERS (comma-separated host:port of the Kafka brokers)`);
  return ctx.config.bus.brokers;
}

/** The Kafka bus of this process; `role` ends up in the kafkajs client id (visible in broker logs). */
export function openKafkaBus(ctx: AppContext, role: string, onFatal?: (error: BusError, at: { topic: string; group: string }) => void): Bus {
  const env = ctx.config.env;
  return createKafkaBus({
    brokers: requireKafka(ctx, role),
    clientId: `${env.KAFKA_CLIENT_ID}-${role}`,
    logger: ctx.logger.child({ stage: 'kafka', role }),
    sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
    heartbeatIntervalMs: env.KAFKA_HEARTBEAT_INTERVAL_MS,
    maxBytesPerPartition: MAX_BYTES_PER_PARTITION,
    onFatal,
  });
}

/** The connectors' pipeline in Kafka mode: publishes raw records to KAFKA_RAW_TOPIC. */
export function publishingPipelineFor(ctx: AppContext, bus: Bus): PublishingPipeline {
  return createPublishingPipeline({ bus, topic: ctx.config.env.KAFKA_RAW_TOPIC });
}

/** A worker for the configured raw topic, group and dead-letter topic. */
export function workerFor(ctx: AppContext, deps: {
  readonly bus: Bus;
  readonly store: Store;
  readonly status?: StatusRegistry;
  readonly progressIntervalMs?: number;
  readonly testing?: WorkerTestHooks;
}): Worker {
  const env = ctx.config.env;
  return createWorker({
    bus: deps.bus, store: deps.store, logger: ctx.logger, clock: ctx.clock, policy: ctx.policy,
    topic: env.KAFKA_RAW_TOPIC, deadLetterTopic: env.KAFKA_DEAD_LETTER_TOPIC, group: env.KAFKA_GROUP_ID,
    chunkSize: env.STORE_BATCH_SIZE, status: deps.status, onStored: createCorrelationMarker(deps.store, ctx.config.file), progressIntervalMs: deps.progressIntervalMs, testing: deps.testing,
  });
}

/** Kafka mode inside `start`: the connectors' publishing pipeline, and optionally one in-process worker. */
export interface KafkaMode {
  readonly pipeline: PublishingPipeline;
  /** Stops the in-process worker (finish, commit, leave) and closes the bus. Call after the connectors stopped. */
  stop(): Promise<void>;
}

/**
 * Starts Kafka mode for `start`. With an embedded store no other process can write this data directory, so a worker
 * runs in-process by default (it reports into `GET /v1/sources`); with CLICKHOUSE_URL workers run as
 * `accessproof worker` processes unless `inProcessWorker` is true.
 */
export async function startKafkaMode(ctx: AppContext, deps: {
  readonly store: Store;
  readonly status: StatusRegistry;
  readonly inProcessWorker?: boolean;
}): Promise<KafkaMode> {
  let worker: Worker | undefined;
  const bus = openKafkaBus(ctx, 'connectors', (error) => {
    ctx.logger.error({ code: error.code, err: { message: error.message } }, 'in-process worker stopped: ingestion halted');
    worker?.fail(error.code, error.message);
  });
  const pipeline = publishingPipelineFor(ctx, bus);
  if (deps.inProcessWorker ?? deps.store.mode === 'embedded') {
    worker = workerFor(ctx, { bus, store: deps.store, status: deps.status });
    try {
      await worker.start();
    } catch (e) {
      await bus.close();
      throw e;
    }
  }
  return {
    pipeline,
    async stop() {
      await worker?.stop();
      await bus.close();
    },
  };
}
