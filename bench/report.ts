import { BENCH_SOURCES } from './corpus/index.ts';
import { goal, type Goal } from './goals.ts';
import type { InsertProbeResult } from './insert-probe.ts';
import type { IngestMemory, Stage, StageResult } from './ladder.ts';
import { SPLIT_PIECES, type NormaliseSplit } from './normalise-split.ts';
import { fmtBytes, fmtRate } from './measure.ts';
import type { ReportSuiteResult } from './report-suite.ts';

/** Everything the goals are evaluated on. */
export interface BenchFigures {
  readonly ladder: Record<string, Partial<Record<Stage, StageResult>>>;
  readonly memory: IngestMemory | null;
  readonly probe: InsertProbeResult | null;
  readonly reports: readonly ReportSuiteResult[];
}

const MIB = 2 ** 20;


/**
 * P-10c from the per-pass peaks: the last third of the passes against the middle third. The first third is warm-up
 * (the engine's allocator arenas, the normalise workers' heaps and body pools fill during the first passes, then
 * stay: fourteen passes peaked at 742–861 MiB from the fifth on), reported but not compared: flat in input size
 * means the later passes, having ingested more, peak no higher than the middle ones. Null below three passes.
 */
export function ingestFlatness(byPass: readonly number[]): { ratio: number; warmup: string; early: string; late: string } | null {
  const third = Math.floor(byPass.length / 3);
  if (third < 1) return null;
  const early = Math.max(...byPass.slice(third, 2 * third));
  const late = Math.max(...byPass.slice(2 * third));
  if (!(early > 0)) return null;
  const range = (a: number, b: number): string => (a === b ? `${a}` : `${a}–${b}`);
  return { ratio: late / early, warmup: range(1, third), early: range(third + 1, 2 * third), late: range(2 * third + 1, byPass.length) };
}

/** Evaluates every goal of issue 8 / research §4.1 that this run measured. */
export function evaluateGoals(f: BenchFigures): Goal[] {
  const per = (stage: Stage): { source: string; ratio: number }[] =>
    BENCH_SOURCES.map((s) => ({ source: s, ratio: f.ladder[s]?.[stage]?.ratio_to_parse ?? Number.NaN })).filter((x) => Number.isFinite(x.ratio));
  const worst = (xs: { source: string; ratio: number }[]): { source: string; ratio: number } | null =>
    xs.length ? xs.reduce((a, b) => (b.ratio < a.ratio ? b : a)) : null;
  const norm = worst(per('normalise'));
  const pooled = worst(per('normalise_pool'));
  const val = worst(per('validate'));
  const e2e = f.ladder.mixed?.end_to_end;
  const r10 = f.reports.find((r) => r.rows === 10_000_000);
  const r50 = f.reports.find((r) => r.rows === 50_000_000);
  const largest = f.reports.length ? f.reports[f.reports.length - 1] : undefined;
  const big = r50 ?? null;
  const bigNote = big ? undefined : largest ? `measured at ${largest.rows.toLocaleString('en-US')} rows only; run --rows 50M` : 'report suite not run';
  const byPass = f.memory?.peak_over_baseline_by_pass ?? [];
  const flat = ingestFlatness(byPass);
  const peakAll = byPass.length ? Math.max(...byPass) : undefined;
  return [
    goal('P-1', 'normalise ÷ bare parse, worst source (one thread)', norm?.ratio ?? null, '>=', 0.6, true,
      norm ? `worst: ${norm.source}${pooled ? `; on the normalise workers: ${pooled.ratio.toFixed(2)} (${pooled.source})` : ''}` : undefined),
    goal('P-2', 'parse+validate ÷ bare parse, worst source (validation ≤ 15 %)', val?.ratio ?? null, '>=', 0.85, true, val ? `worst: ${val.source}` : undefined),
    goal('P-3', 'end-to-end normalise + insert ÷ bare parse (mixed stream)', e2e?.ratio_to_parse ?? null, '>=', 0.5, true),
    goal('P-4', 'product insert path ÷ engine file() for the same bytes', f.probe?.ratio ?? null, '>=', 0.8, true),
    goal('P-5', 'CPU cores busy, backlogged end-to-end run (of 2)', e2e?.cores_busy ?? null, '>=', 1.7, true),
    goal('P-6a', 'report suite total at 50M rows, s', big?.suite_s ?? null, '<=', 10, false, bigNote),
    goal('P-6b', 'slowest report query at 50M rows, s', big?.max_query_s ?? null, '<=', 3, false, big ? big.max_query : bigNote),
    goal('P-6c', 'one-month report at 50M rows, s', big?.one_month_report_s ?? null, '<=', 0.5, false, bigNote),
    goal('P-7', 'suite(50M) ÷ suite(10M)', r10 && r50 ? r50.suite_s / r10.suite_s : null, '<=', 5, true, r10 && r50 ? undefined : 'needs --rows 10M,50M'),
    goal('P-8', 'auth_events bytes on disk per row (largest report run)', largest?.storage.bytes_per_row ?? null, '<=', 60, false,
      largest ? `${largest.rows.toLocaleString('en-US')} rows` : undefined),
    goal('P-9', 'records per INSERT (batch size)', f.probe ? f.probe.records_per_insert : null, '>=', 10_000, false,
      f.probe ? `1-row insert fixed cost ${f.probe.one_row_insert_ms.toFixed(1)} ms` : undefined),
    goal('P-10a', 'peak RSS of the 50M report run (queries), MiB', big ? big.peak_rss_queries / MIB : null, '<=', 2048, false,
      big ? `generating the data in SQL peaked at ${(big.peak_rss_generate / MIB).toFixed(0)} MiB` : bigNote),
    goal('P-10b', 'ingest RSS above input, MiB (10k batches)', peakAll !== undefined ? peakAll / MIB : null, '<=', 1024, false),
    goal('P-10c', flat ? `ingest RSS flat: peak of passes ${flat.late} ÷ peak of passes ${flat.early} (each pass = the corpus once more; passes ${flat.warmup} warm up)` : 'ingest RSS flat in input size (ladder not run)', flat?.ratio ?? null, '<=', 1.1, false),
  ];
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

/** Prints the human-readable tables to stdout. */
export function printReport(result: Record<string, unknown> & { machine: Record<string, unknown> }, goals: readonly Goal[]): void {
  const out: string[] = [];
  const m = result.machine;
  out.push('', `machine: ${String(m.cpu)}, ${String(m.cores)} cores, ${String(m.memGiB)} GiB; node ${String(m.node)} (V8 ${String(m.v8)}); chdb ${String(m.chdb)} (engine ${String(m.engine)}); zod ${String(m.zod)}; load ${JSON.stringify(m.loadavg_at_start)}`);
  const corpus = result.corpus as { seed: number; sources: Record<string, { count: number; bytes: number; mean_bytes: number; min_bytes: number; max_bytes: number }> };
  out.push(`corpus: seed ${corpus.seed}; ${Object.entries(corpus.sources).map(([s, c]) => `${s} ${c.count} events, ${(c.bytes / 1e6).toFixed(1)} MB, mean ${c.mean_bytes} B (${c.min_bytes}–${c.max_bytes})`).join('; ')}`);
  const stages = result.stages as Record<string, Partial<Record<Stage, StageResult>>>;
  if (Object.keys(stages).length) {
    out.push('', 'stage ladder (median of rounds; ratio = median of per-round ratios to bare parse)');
    out.push(`${pad('group', 11)}${pad('stage', 16)}${pad('ev/s med', 10, true)}${pad('ev/s best', 10, true)}${pad('MB/s', 8, true)}${pad('µs/ev', 8, true)}${pad('× parse', 9, true)}${pad('cores', 7, true)}${pad('peak RSS', 10, true)}`);
    for (const [group, byStage] of Object.entries(stages)) {
      for (const [stage, r] of Object.entries(byStage)) {
        if (!r) continue;
        out.push(`${pad(group, 11)}${pad(stage, 16)}${pad(fmtRate(r.eps_median), 10, true)}${pad(fmtRate(r.eps_best), 10, true)}${pad(r.mb_per_s.toFixed(0), 8, true)}${pad(r.us_per_event.toFixed(1), 8, true)}${pad(r.ratio_to_parse.toFixed(2), 9, true)}${pad(r.cores_busy.toFixed(2), 7, true)}${pad(fmtBytes(r.peak_rss), 10, true)}`);
      }
    }
  }
  const split = result.normalise_split as Record<string, NormaliseSplit> | null;
  if (split) {
    out.push('', 'normalise split: µs per record of each production piece of the stage, timed apart on one batch (medians of rounds)');
    out.push(`${pad('source', 11)}${SPLIT_PIECES.map((p) => pad(p, 14, true)).join('')}${pad('sum', 8, true)}${pad('whole', 8, true)}${pad('events/rec', 11, true)}`);
    for (const [source, x] of Object.entries(split)) {
      const sum = SPLIT_PIECES.reduce((n, p) => n + x.us_per_record[p], 0);
      out.push(`${pad(source, 11)}${SPLIT_PIECES.map((p) => pad(x.us_per_record[p].toFixed(1), 14, true)).join('')}${pad(sum.toFixed(1), 8, true)}${pad(x.us_per_record.whole.toFixed(1), 8, true)}${pad((x.events / x.records).toFixed(2), 11, true)}`);
    }
  }
  const mem = result.ingest_memory as IngestMemory | null;
  if (mem) out.push(`ingest memory: baseline ${fmtBytes(mem.baseline)} (corpus loaded); peak above baseline during each pass of ${mem.events_per_pass} events: ${mem.peak_over_baseline_by_pass.map(fmtBytes).join(', ')}; JS heap after GC: ${mem.heap_used_by_pass.map(fmtBytes).join(', ')}`);
  const probe = result.insert as InsertProbeResult | null;
  if (probe) {
    out.push('', `insert probe (${probe.batches} batches, ${probe.rows} events, ${probe.format} bodies ${probe.body_bytes_per_row.toFixed(0)} B/event incl. raw record)`);
    out.push(`  product path (temp file + INSERT … FROM INFILE, one statement per batch): ${fmtRate(probe.product_rows_per_s)} events/s, ${probe.product_cores.toFixed(2)} cores`);
    out.push(`  engine file() on the same bytes:                                          ${fmtRate(probe.file_rows_per_s)} events/s, ${probe.file_cores.toFixed(2)} cores`);
    out.push(`  ratio ${probe.ratio.toFixed(2)}; reference, auth_events alone as JSONEachRow: inline ${probe.json_inline_rows_per_s ? fmtRate(probe.json_inline_rows_per_s) : 'n/a'}/s, INFILE ${probe.json_infile_rows_per_s ? fmtRate(probe.json_infile_rows_per_s) : 'n/a'}/s; 1-row insert ${probe.one_row_insert_ms.toFixed(1)} ms`);
  }
  const ingest = result.ingest_storage as { rows: number; bytes_per_row: number; columns: Record<string, number> } | null;
  if (ingest) out.push(`ingested corpus on disk: ${ingest.bytes_per_row.toFixed(1)} B/event over ${ingest.rows} events; largest columns ${topColumns(ingest.columns)}`);
  for (const r of result.queries as ReportSuiteResult[]) {
    out.push('', `report suite, ${r.rows.toLocaleString('en-US')} events (generated in ${r.generate_s.toFixed(0)} s + OPTIMIZE ${r.optimize_s.toFixed(0)} s)`);
    out.push(`${pad('query', 40)}${pad('first s', 9, true)}${pad('warm s', 9, true)}${pad('rows/s', 10, true)}`);
    for (const q of r.queries) out.push(`${pad(q.name, 40)}${pad(q.first_s.toFixed(3), 9, true)}${pad(q.warm_s.toFixed(3), 9, true)}${pad(fmtRate(q.rows_per_s), 10, true)}`);
    out.push(`${pad('suite total', 40)}${pad(r.suite_first_s.toFixed(2), 9, true)}${pad(r.suite_s.toFixed(2), 9, true)}`);
    out.push(`storage: ${r.storage.bytes_per_row.toFixed(1)} B/row on disk (${r.storage.uncompressed_bytes_per_row.toFixed(0)} uncompressed); ${topColumns(r.storage.columns)}`);
    out.push(`peak RSS: generation ${fmtBytes(r.peak_rss_generate)}, queries ${fmtBytes(r.peak_rss_queries)}`);
  }
  out.push('', 'goals');
  for (const g of goals) {
    const v = g.value === null ? 'n/a' : Math.abs(g.value) >= 100 ? g.value.toFixed(0) : g.value.toFixed(2);
    const verdict = g.pass === null ? 'n/a ' : g.pass ? 'PASS' : 'MISS';
    out.push(`  ${pad(g.id, 6)}${verdict} ${pad(v, 8, true)} ${g.op} ${pad(String(g.target), 6)} ${g.what}${g.note ? ` (${g.note})` : ''}${g.asserted ? '' : ' [not asserted]'}`);
  }
  process.stdout.write(`${out.join('\n')}\n\n`);
}

function topColumns(columns: Record<string, number>): string {
  return Object.entries(columns).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([c, b]) => `${c} ${b.toFixed(1)}`).join(', ');
}
