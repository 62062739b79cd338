import { cpus, loadavg, release, totalmem } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createRequire } from 'node:module';
import { EnvSchema } from '../core/config.ts';
import { openBenchStore } from './bench-store.ts';
import { BENCH_SOURCES, generateCorpus } from './corpus/index.ts';
import { assertionFailures, type Goal } from './goals.ts';
import { runInsertProbe, type InsertProbeResult } from './insert-probe.ts';
import { measureNormaliseSplit, type NormaliseSplit } from './normalise-split.ts';
import { measureIngestMemory, runLadder, type LadderGroup, type IngestMemory, type Stage, type StageResult } from './ladder.ts';
import { authEventsStorage, runReportSuite, type ReportSuiteResult } from './report-suite.ts';
import { evaluateGoals, printReport } from './report.ts';
import { runKafkaLeg } from './kafka-leg.ts';
import type { BusMessage } from '../ingest/bus/bus.ts';
import { normalizePoolFor, type NormalizePool } from '../ingest/normalize-pool/pool.ts';
import { DEFAULT_POLICY } from '../ingest/normalizers/common.ts';

// `npm run bench` (and `-- --assert`): one process, no broker. See README "Performance" and issue 8.

/** Passes of the ingest memory check: a third to warm up, then the last third must peak no higher than the middle one. */
const INGEST_MEMORY_PASSES = 9;

/** Parsed command line. */
export interface BenchOptions {
  readonly assert: boolean;
  readonly kafka: boolean;
  readonly perSource: number;
  readonly rounds: number;
  readonly seed: number;
  readonly rows: number[];
  readonly queryRuns: number;
  readonly skipLadder: boolean;
  readonly skipQueries: boolean;
}

function parseCount(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(s.trim());
  if (!m) throw new Error(`not a count: ${s}`);
  const mult = m[2]?.toLowerCase() === 'm' ? 1e6 : m[2]?.toLowerCase() === 'k' ? 1e3 : 1;
  return Math.round(Number(m[1]) * mult);
}

/** Parses argv (after `--`). */
export function parseArgs(argv: readonly string[]): BenchOptions {
  const rows: number[] = [];
  const opts = { assert: false, kafka: false, perSource: 10_000, rounds: 5, seed: 20250311, queryRuns: 4, skipLadder: false, skipQueries: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = (): string => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--assert') opts.assert = true;
    else if (a === '--kafka') opts.kafka = true;
    else if (a.startsWith('--rows')) rows.push(...value().split(',').map(parseCount));
    else if (a.startsWith('--events')) opts.perSource = parseCount(value());
    else if (a.startsWith('--rounds')) opts.rounds = Math.max(1, parseCount(value()));
    else if (a.startsWith('--seed')) opts.seed = parseCount(value());
    else if (a.startsWith('--query-runs')) opts.queryRuns = Math.max(2, parseCount(value()));
    else if (a === '--skip-ladder') opts.skipLadder = true;
    else if (a === '--skip-queries') opts.skipQueries = true;
    else throw new Error(`unknown option ${a} (options: --assert --kafka --rows N[,N] --events N --rounds N --seed N --query-runs N --skip-ladder --skip-queries)`);
  }
  return { ...opts, rows: rows.length ? [...new Set(rows)].sort((x, y) => x - y) : [2_000_000] };
}

/** Machine and versions, for the result line. */
export async function describeMachine(engine: string): Promise<Record<string, unknown>> {
  const require = createRequire(import.meta.url);
  const version = (pkg: string): string => (require(`${pkg}/package.json`) as { version: string }).version;
  const c = cpus();
  return {
    cpu: c[0]?.model ?? 'unknown', cores: c.length, memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${process.platform} ${release()}`, node: process.version, v8: process.versions.v8,
    chdb: version('chdb'), engine, clickhouse_client: version('@clickhouse/client'), zod: version('zod'), kafkajs: version('kafkajs'),
    loadavg_at_start: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

function exposeGc(): () => void {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    return () => gc();
  } catch {
    return () => undefined;
  }
}

/** Interleaves the sources' messages the way a shared topic delivers them. */
function interleave(groups: readonly (readonly BusMessage[])[]): BusMessage[] {
  const out: BusMessage[] = [];
  const max = groups.reduce((n, g) => Math.max(n, g.length), 0);
  for (let i = 0; i < max; i++) for (const g of groups) if (i < g.length) out.push(g[i] as BusMessage);
  return out;
}

/** Runs the benchmark; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const opts = parseArgs(argv);
  const log = (s: string): void => { process.stderr.write(`${s}\n`); };
  if (opts.kafka) return runKafkaLeg(opts, log);
  const gc = exposeGc();
  const batchSize = EnvSchema.parse({}).STORE_BATCH_SIZE;
  log(`accessproof bench: seed ${opts.seed}, ${opts.perSource} events per source, ${opts.rounds} rounds, batch ${batchSize}, report rows ${opts.rows.join(', ')}`);
  const t0 = performance.now();
  const corpus = generateCorpus(opts.seed, opts.perSource);
  log(`corpus generated in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${BENCH_SOURCES.map((s) => `${s} ${corpus.stats[s].count} × ${corpus.stats[s].mean_bytes} B`).join(', ')}`);
  const bench = await openBenchStore();
  let pool: NormalizePool | undefined;
  try {
    const [v] = await bench.store.query<{ v: string }>('SELECT version() AS v');
    const machine = await describeMachine(v?.v ?? 'unknown');
    const mixed = interleave(BENCH_SOURCES.map((s) => corpus.messages[s]));
    let ladder: Record<string, Partial<Record<Stage, StageResult>>> = {};
    let memory: IngestMemory | null = null;
    let split: Record<string, NormaliseSplit> | null = null;
    let probe: InsertProbeResult | null = null;
    let ingestStorage: Awaited<ReturnType<typeof authEventsStorage>> | null = null;
    if (!opts.skipLadder) {
      const groups: LadderGroup[] = [
        ...BENCH_SOURCES.map((s) => ({ name: s, messages: corpus.messages[s], endToEnd: false })),
        { name: 'mixed', messages: mixed, endToEnd: true },
      ];
      // The product's default (NORMALIZE_WORKERS, `auto` = one worker per core); NORMALIZE_WORKERS=0 measures without.
      pool = normalizePoolFor(EnvSchema.shape.NORMALIZE_WORKERS.parse(process.env.NORMALIZE_WORKERS), DEFAULT_POLICY);
      log(`normalise workers: ${pool ? pool.size : 'none (NORMALIZE_WORKERS=0 or one core)'}`);
      const e2e = { store: bench.store, reset: bench.reset, batchSize, gc, pool };
      // First, on a fresh process: later stages would leave the heap and the engine's arenas grown.
      log(`ingest memory (the corpus fed ${INGEST_MEMORY_PASSES} times through one pipeline)`);
      memory = await measureIngestMemory(mixed, e2e, INGEST_MEMORY_PASSES);
      log('stage ladder (parse / validate / normalise per source; + end-to-end insert on the mixed stream)');
      ladder = await runLadder(groups, opts.rounds, batchSize, e2e, log);
      log('normalise split (the production pieces of the stage timed one at a time, per source)');
      split = Object.fromEntries(BENCH_SOURCES.map((s) => [s, measureNormaliseSplit(corpus.messages[s], batchSize, opts.rounds, gc)]));
      log('insert probe (product path vs engine file(), same Native bodies)');
      // As many interleaved rounds as the ladder (at least 5): with 3, the median ratio moved from 0.74 to 0.94 between two runs.
      probe = await runInsertProbe(bench.store, bench.reset, mixed, batchSize, Math.max(5, opts.rounds));
      log('storage of the ingested corpus (realistic records through the product path, merged)');
      ingestStorage = await ingestedStorage(bench, mixed, batchSize);
    }
    const reports: ReportSuiteResult[] = [];
    if (!opts.skipQueries) {
      for (const rows of opts.rows) {
        log(`report suite over ${rows.toLocaleString('en-US')} rows`);
        reports.push(await runReportSuite(bench.store, bench.reset, rows, opts.queryRuns, log));
      }
    }
    const goals: Goal[] = evaluateGoals({ ladder, memory, probe, reports });
    const result = {
      schema: 1, machine, batch_size: batchSize, normalise_workers: pool?.size ?? 0,
      corpus: { seed: corpus.seed, per_source: opts.perSource, start: corpus.start, end: corpus.end, sources: corpus.stats },
      stages: ladder, normalise_split: split, ingest_memory: memory, insert: probe, ingest_storage: ingestStorage,
      queries: reports, goals: Object.fromEntries(goals.map((g) => [g.id, g])),
    };
    printReport(result, goals);
    process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
    if (opts.assert) {
      const failed = assertionFailures(goals);
      for (const g of failed) log(`ASSERT FAILED ${g.id}: ${g.what} = ${g.value} (target ${g.op} ${g.target}, 10 % tolerance)`);
      return failed.length ? 1 : 0;
    }
    return 0;
  } finally {
    await pool?.close();
    await bench.close();
  }
}

/** Ingests the mixed corpus once through the pipeline, merges, and measures auth_events on disk. */
async function ingestedStorage(bench: Awaited<ReturnType<typeof openBenchStore>>, mixed: readonly BusMessage[], batchSize: number): Promise<Awaited<ReturnType<typeof authEventsStorage>>> {
  const { createPipeline, fromBusMessage } = await import('../ingest/pipeline.ts');
  const { systemClock } = await import('../core/clock.ts');
  const { silentLogger } = await import('../core/logger.ts');
  await bench.reset();
  const pipeline = createPipeline({ store: bench.store, policy: DEFAULT_POLICY, clock: systemClock, logger: silentLogger() });
  for (let i = 0; i < mixed.length; i += batchSize) await pipeline.handle(mixed.slice(i, i + batchSize).map(fromBusMessage), 'bench');
  await bench.store.command('OPTIMIZE TABLE auth_events FINAL');
  const s = await authEventsStorage(bench.store);
  await bench.reset();
  return s;
}
