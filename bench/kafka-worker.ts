// Throughput through Kafka on this machine (README "Scaling out"): `npx tsx bench/kafka-worker.ts [events]`.
// Starts its own single-node broker (test/harness), then measures
//   1. producer: the demo organisation's records (all sources) published through the connectors' publishing
//      pipeline (toBusMessage, acks=-1, idempotent, GZIP), and `accessproof ingest` (Kafka mode) publishing
//      `events` synthetic Okta records from a JSON-lines file (framing included, process start included);
//   2. worker: one `accessproof worker` process draining that topic into embedded chDB (normalize, Native
//      inserts, range ledger, commit), from its first stored batch to zero lag;
//   3. the in-process import of the same file (`accessproof ingest` without Kafka) as the single-process baseline.
// Prints one JSON line per measurement. The numbers depend on the machine and on what else runs on it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { initTopics } from '../ingest/bus/kafka-admin.ts';
import { createKafkaBus } from '../ingest/bus/kafka-bus.ts';
import { createPublishingPipeline } from '../ingest/bus/publishing-pipeline.ts';
import { generateDemoDataset } from '../ingest/demo/generate.ts';
import { sha256Hex } from '../ingest/normalizers/common.ts';
import { startKafkaBroker } from '../test/harness/kafka-broker.ts';
import { runCli } from '../test/helpers/run-cli.ts';
import { syntheticOktaLines } from '../test/helpers/synthetic-okta.ts';
import { startWorkerProcess } from '../test/helpers/worker-process.ts';

const EVENTS = Number(process.argv[2] ?? 200_000);
const PARTITIONS = 6;

function report(what: string, values: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ what, ...values, load_avg_1m: Number(loadavg()[0]?.toFixed(2)) })}\n`);
}

const root = mkdtempSync(join(tmpdir(), 'ap-bench-kafka-'));
const broker = await startKafkaBroker();
const kafka = new Kafka({ clientId: 'bench-admin', brokers: broker.brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
try {
  report('machine', { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, events: EVENTS, partitions: PARTITIONS });

  // 1a. Demo dataset through the publishing pipeline, in connector-sized batches.
  await initTopics({ brokers: broker.brokers, topics: [{ name: 'bench.demo', partitions: PARTITIONS, replicationFactor: 1 }] });
  const demo = generateDemoDataset({ seed: 42, endDate: new Date('2025-03-12T00:00:00.000Z') });
  const received_at = new Date().toISOString();
  const records = demo.flatMap((part) => part.records.map((raw, i) => ({ source: part.source, raw, input_ref: `demo:${part.source}#${String(i)}`, received_at, raw_sha256: sha256Hex(raw) })));
  const bus = createKafkaBus({ brokers: broker.brokers, clientId: 'bench-producer' });
  const pipeline = createPublishingPipeline({ bus, topic: 'bench.demo' });
  let t0 = performance.now();
  for (let i = 0; i < records.length; i += 2000) await pipeline.handle(records.slice(i, i + 2000));
  let seconds = (performance.now() - t0) / 1000;
  await bus.close();
  report('producer: demo dataset via publishing pipeline', { records: records.length, sources: demo.length, seconds: +seconds.toFixed(2), records_per_second: Math.round(records.length / seconds) });

  // 1b. `accessproof ingest` in Kafka mode.
  const file = join(root, 'okta.jsonl');
  writeFileSync(file, `${syntheticOktaLines('bench', EVENTS).join('\n')}\n`);
  const env = {
    KAFKA_BROKERS: broker.brokers.join(','), KAFKA_RAW_TOPIC: 'bench.raw', KAFKA_DEAD_LETTER_TOPIC: 'bench.dead-letter',
    KAFKA_GROUP_ID: 'bench-workers', ACCESSPROOF_DATA_DIR: join(root, 'worker'), STORE_BATCH_SIZE: '10000',
  };
  const init = await runCli(['kafka', 'init', '--partitions', String(PARTITIONS)], env);
  if (init.code !== 0) throw new Error(init.stderr);
  t0 = performance.now();
  const ingest = await runCli(['ingest', '--source', 'okta', file], env);
  seconds = (performance.now() - t0) / 1000;
  if (ingest.code !== 0) throw new Error(ingest.stderr);
  report('producer: accessproof ingest (Kafka mode)', { summary: JSON.parse(ingest.stdout) as unknown, seconds: +seconds.toFixed(2), events_per_second: Math.round(EVENTS / seconds) });

  // 2. One worker draining the topic into embedded chDB.
  const worker = startWorkerProcess(env);
  await worker.waitFor(/"records_total":[1-9]/, 120_000);
  const started = performance.now();
  const storedAtStart = worker.recordsTotal();
  const lag = async (): Promise<number> => {
    const [high, committed] = await Promise.all([admin.fetchTopicOffsets('bench.raw'), admin.fetchOffsets({ groupId: 'bench-workers', topics: ['bench.raw'] })]);
    return high.reduce((n, p) => n + Number(p.high) - Math.max(0, Number(committed[0]?.partitions.find((c) => c.partition === p.partition)?.offset ?? 0)), 0);
  };
  while ((await lag().catch(() => 1)) > 0) await new Promise((r) => setTimeout(r, 200));
  seconds = (performance.now() - started) / 1000;
  const rates = [...worker.output().matchAll(/"records_per_s":(\d+)/g)].map((m) => Number(m[1])).filter((n) => n > 0);
  worker.kill('SIGTERM');
  await worker.exited;
  report('worker: Kafka → embedded chDB (one process)', {
    events: EVENTS - storedAtStart, seconds: +seconds.toFixed(2), events_per_second: Math.round((EVENTS - storedAtStart) / seconds),
    progress_line_peak: Math.max(0, ...rates),
  });

  // 3. Baseline: the same file imported in-process (no Kafka).
  t0 = performance.now();
  const local = await runCli(['ingest', '--source', 'okta', file], { ACCESSPROOF_DATA_DIR: join(root, 'local'), STORE_BATCH_SIZE: '10000' });
  seconds = (performance.now() - t0) / 1000;
  if (local.code !== 0) throw new Error(local.stderr);
  report('baseline: accessproof ingest in-process (no Kafka)', { seconds: +seconds.toFixed(2), events_per_second: Math.round(EVENTS / seconds) });
} finally {
  await admin.disconnect();
  await broker.stop();
  rmSync(root, { recursive: true, force: true });
}
