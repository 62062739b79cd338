import type { Command } from 'commander';
import type { AppContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { initTopics } from '../../ingest/bus/kafka-admin.ts';
import { requireKafka } from '../../ingest/worker/kafka-runtime.ts';

/** `accessproof kafka init`: creates the raw and dead-letter topics (topic auto-creation stays off). */
export function registerKafka(program: Command, getCtx: () => AppContext): void {
  const kafka = program.command('kafka').description('Kafka administration (scale-out mode; needs KAFKA_BROKERS)');
  kafka.command('init')
    .description('create KAFKA_RAW_TOPIC and KAFKA_DEAD_LETTER_TOPIC if missing (idempotent; existing topics are checked, never altered)')
    .option('--partitions <n>', 'partitions per topic (default KAFKA_PARTITIONS): the upper bound of useful workers')
    .option('--replication-factor <n>', 'replicas per partition (default KAFKA_REPLICATION_FACTOR; 3 in production)')
    .action(async (opts: { partitions?: string; replicationFactor?: string }) => {
      const ctx = getCtx();
      const brokers = requireKafka(ctx, 'accessproof kafka init');
      const env = ctx.config.env;
      const partitions = count(opts.partitions, env.KAFKA_PARTITIONS, '--partitions');
      const replicationFactor = count(opts.replicationFactor, env.KAFKA_REPLICATION_FACTOR, '--replication-factor');
      const result = await initTopics({
        brokers,
        clientId: `${env.KAFKA_CLIENT_ID}-admin`,
        topics: [
          { name: env.KAFKA_RAW_TOPIC, partitions, replicationFactor },
          { name: env.KAFKA_DEAD_LETTER_TOPIC, partitions, replicationFactor },
        ],
      });
      process.stdout.write(`${JSON.stringify({ ...result, partitions, replication_factor: replicationFactor })}\n`);
    });
}

function count(text: string | undefined, fallback: number, what: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what} must be a positive integer`);
  return n;
}
