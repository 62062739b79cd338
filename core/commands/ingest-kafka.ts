import type { AppContext } from '../context.ts';
import { importFiles } from '../../ingest/files/import-files.ts';
import { openKafkaBus, publishingPipelineFor } from '../../ingest/worker/kafka-runtime.ts';

/**
 * `accessproof ingest` in Kafka mode (KAFKA_BROKERS set): frames the files and publishes every record to the raw
 * topic (acks from all in-sync replicas); the workers normalize and store them. Prints one JSON line:
 * read (records framed), published (acknowledged messages, framing rejects included), dead_lettered (framing
 * rejects, dead-lettered by the workers), dropped (expected noise), topic. Opens no store.
 */
export async function publishFiles(ctx: AppContext, source: string, paths: readonly string[]): Promise<void> {
  const bus = openKafkaBus(ctx, 'ingest');
  try {
    const pipeline = publishingPipelineFor(ctx, bus);
    const totals = await importFiles(
      { send: (records) => pipeline.handle(records), deadLetter: (rows) => pipeline.deadLetter(rows) },
      { source, paths, batchSize: ctx.config.env.STORE_BATCH_SIZE, clock: ctx.clock },
    );
    const published = pipeline.totals();
    process.stdout.write(`${JSON.stringify({
      read: totals.read, published: published.published, dead_lettered: totals.dead_lettered, dropped: totals.dropped, topic: pipeline.topic,
    })}\n`);
  } finally {
    await bus.close();
  }
}
