import { FileConfig } from '../core/config.ts';
import * as metricQueries from '../reports/metrics/queries.ts';
import * as eventQueries from '../reports/metrics/event-queries.ts';
import { computeMetrics } from '../reports/metrics/metrics.ts';
import type { Store } from '../schema/store/store.ts';
import { median, peakRssBytes, resetPeakRss } from './measure.ts';
import { generateReportData, reportTableSizes, reportWindow, type ReportWindow } from './report-data.ts';

// The report suite: the production metrics and evidence queries (reports/metrics: every SQL constant the modules
// export, so new production queries join the suite by themselves) over M generated rows, each run once cold and
// then warm; plus the one-month report (the metrics engine's whole computation and the event breakdowns of one
// month), and the on-disk size of auth_events.

/** Timing of one query. */
export interface QueryTiming {
  readonly name: string;
  readonly table: string;
  readonly first_s: number;
  readonly warm_s: number;
  readonly rows_per_s: number;
}

/** Figures of one report-suite size. */
export interface ReportSuiteResult {
  readonly rows: number;
  readonly generate_s: number;
  readonly optimize_s: number;
  /** Building the daily report rollups of every day (the correlator's share, done once per day in production). */
  readonly rollup_s: number;
  readonly queries: QueryTiming[];
  readonly suite_first_s: number;
  /** Sum of the warm medians, the one-month report included. */
  readonly suite_s: number;
  readonly max_query_s: number;
  readonly max_query: string;
  readonly one_month_report_s: number;
  readonly storage: {
    readonly bytes_per_row: number;
    readonly uncompressed_bytes_per_row: number;
    readonly columns: Record<string, number>;
  };
  readonly peak_rss_generate: number;
  readonly peak_rss_queries: number;
}

/** The SQL constants of a module, by export name. */
function sqlExports(mod: Record<string, unknown>): [string, string][] {
  return Object.entries(mod).filter((e): e is [string, string] => typeof e[1] === 'string' && /^\s*(SELECT|WITH)\b/i.test(e[1]));
}

/** Which table a query is mostly about (for rows/s). */
function mainTable(sql: string): string {
  for (const t of ['auth_events', 'sessions', 'findings', 'revocations', 'accounts', 'exemptions']) if (sql.includes(`FROM ${t}`)) return t;
  return 'auth_events';
}

async function timeRuns(runs: number, fn: () => Promise<unknown>): Promise<{ first: number; warm: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push((performance.now() - t0) / 1000);
  }
  return { first: times[0] as number, warm: median(times.slice(1)) };
}

/** Storage of auth_events: bytes on disk per row, and compressed bytes per row per column. */
export async function authEventsStorage(store: Store): Promise<ReportSuiteResult['storage'] & { rows: number }> {
  const [p] = await store.query<{ b: string; n: string; u: string }>(
    "SELECT sum(bytes_on_disk) AS b, sum(rows) AS n, sum(data_uncompressed_bytes) AS u FROM system.parts WHERE database = currentDatabase() AND table = 'auth_events' AND active");
  const rows = Number(p?.n ?? 0);
  const cols = await store.query<{ c: string; b: string }>(
    `SELECT column AS c, sum(column_data_compressed_bytes) AS b FROM system.parts_columns
     WHERE database = currentDatabase() AND table = 'auth_events' AND active GROUP BY column ORDER BY sum(column_data_compressed_bytes) DESC`);
  const columns: Record<string, number> = {};
  for (const c of cols) columns[c.c] = rows ? Number(c.b) / rows : 0;
  return { rows, bytes_per_row: rows ? Number(p?.b) / rows : 0, uncompressed_bytes_per_row: rows ? Number(p?.u) / rows : 0, columns };
}

/** Generates M rows into the (reset) store and runs the suite `runs` times per query (first + warm median). */
export async function runReportSuite(
  store: Store, reset: () => Promise<void>, rows: number, runs: number, log: (s: string) => void, window: ReportWindow = reportWindow(),
): Promise<ReportSuiteResult> {
  await reset();
  resetPeakRss();
  log(`  generating ${rows.toLocaleString('en-US')} events (+ ${reportTableSizes(rows).sessions.toLocaleString('en-US')} sessions) in SQL`);
  const gen = await generateReportData(store, window, rows, log);
  const peakGenerate = peakRssBytes();
  log(`  generated in ${gen.seconds.toFixed(1)} s, merged in ${gen.optimize_seconds.toFixed(1)} s, rollups built in ${gen.rollup_seconds.toFixed(1)} s`);
  const counts = new Map<string, number>();
  for (const t of ['auth_events', 'sessions', 'findings', 'revocations', 'accounts', 'exemptions']) {
    const [c] = await store.query<{ n: string }>(`SELECT count() AS n FROM ${t}`);
    counts.set(t, Number(c?.n ?? 0));
  }
  const endMs = Date.parse(`${window.end.replace(' ', 'T')}Z`);
  const asOf = new Date(endMs - 1).toISOString().replace('T', ' ').replace('Z', '');
  const all = { from: window.start, to: window.end, as_of: asOf, admins: [] as string[], limit: 100 };
  resetPeakRss();
  const queries: QueryTiming[] = [];
  const named = [...sqlExports(metricQueries).map(([n, q]) => [`metrics.${n}`, q] as const), ...sqlExports(eventQueries).map(([n, q]) => [`events.${n}`, q] as const)];
  for (const [name, sql] of named) {
    const t = await timeRuns(runs, () => store.query(sql, all));
    const table = mainTable(sql);
    queries.push({ name, table, first_s: t.first, warm_s: t.warm, rows_per_s: (counts.get(table) ?? 0) / t.warm });
    log(`    ${name.padEnd(36)} first ${t.first.toFixed(3)} s, warm ${t.warm.toFixed(3)} s`);
  }
  const file = FileConfig.parse({});
  const monthPeriod = { from: Date.parse(`${window.month.from.replace(' ', 'T')}Z`), to: Date.parse(`${window.month.to.replace(' ', 'T')}Z`) };
  const month = await timeRuns(runs, async () => {
    await computeMetrics(store, file, monthPeriod);
    await eventQueries.loadEventBreakdowns(store, { from: window.month.from, to: window.month.to });
  });
  queries.push({ name: 'one_month_report', table: 'auth_events', first_s: month.first, warm_s: month.warm, rows_per_s: (counts.get('auth_events') ?? 0) / 6 / month.warm });
  log(`    ${'one_month_report'.padEnd(36)} first ${month.first.toFixed(3)} s, warm ${month.warm.toFixed(3)} s`);
  const peakQueries = peakRssBytes();
  const storage = await authEventsStorage(store);
  const slowest = queries.filter((q) => q.name !== 'one_month_report').reduce((a, b) => (b.warm_s > a.warm_s ? b : a));
  return {
    rows,
    generate_s: gen.seconds,
    optimize_s: gen.optimize_seconds,
    rollup_s: gen.rollup_seconds,
    queries,
    suite_first_s: queries.reduce((n, q) => n + q.first_s, 0),
    suite_s: queries.reduce((n, q) => n + q.warm_s, 0),
    max_query_s: slowest.warm_s,
    max_query: slowest.name,
    one_month_report_s: month.warm,
    storage: { bytes_per_row: storage.bytes_per_row, uncompressed_bytes_per_row: storage.uncompressed_bytes_per_row, columns: storage.columns },
    peak_rss_generate: peakGenerate,
    peak_rss_queries: peakQueries,
  };
}
