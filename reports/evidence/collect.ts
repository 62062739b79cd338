import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { AppError } from '../../core/errors.ts';
import type { Store } from '../../schema/store/store.ts';
import type { CatalogControl } from './catalog.ts';
import { CONTROL_TESTS, type DispositionContext, type SessionTest } from './control-tests.ts';
import { sha256Hex } from './canonical-json.ts';
import { createCsvFileWriter, csvLine, type CsvFileSummary } from './csv.ts';
import type { Period } from './period.ts';
import { runPopulationPass, writeFindingsCsv, type SessionTally } from './population-pass.ts';
import {
  EXEMPTIONS_SQL, FINDINGS_OF_KINDS_SQL, REVIEWED_SESSIONS_SQL, REVOCATION_COUNT_SQL, REVOCATIONS_SQL, SESSIONLESS_FINDINGS_SQL, testCountSql, type QueryLog,
} from './queries.ts';
import { EXCEPTION_HEADER, pct, sampleCells, SAMPLE_HEADER, type SampleRow, type TestResult } from './results.ts';
import { ExemptionInfo, FindingRow, RevocationRow } from './rows.ts';
import { sampleSizeFor } from './sampling.ts';
import { createTallies, type Tally } from './tally.ts';
import { writeRawSamples } from './raw-samples.ts';

// Collects the evidence of a pack into a staging directory: population.csv, exceptions.csv, sample.csv,
// findings.csv and samples/raw/*.jsonl, plus the per-control results, reconciled against SQL counts.

/** Everything the collection produced. */
export interface Collected {
  readonly results: readonly TestResult[];
  readonly files: Readonly<Record<'population.csv' | 'sample.csv' | 'exceptions.csv' | 'findings.csv', CsvFileSummary>>;
  readonly findings_by_kind: Readonly<Record<string, number>>;
  readonly raw_files: readonly string[];
}

/** Options of the collection. */
export interface CollectOptions {
  readonly store: Store;
  readonly log: QueryLog;
  readonly period: Period;
  readonly controls: readonly CatalogControl[];
  readonly dir: string;
  readonly seed: string;
  readonly sampleSize?: number;
  readonly ctx: DispositionContext;
}

const isSessionTally = (t: Tally): t is SessionTally => t.test.kind === 'session';

async function loadSide(store: Store, log: QueryLog): Promise<{ exemptions: Map<string, ExemptionInfo>; reviewed: Set<string> }> {
  const ex = (await log.run<unknown>(store, 'exemptions', 'Exemptions (folded from their append-only create/revoke rows)', EXEMPTIONS_SQL, {})).map((r) => ExemptionInfo.parse(r));
  const rv = await log.run<{ session_key: string }>(store, 'break_glass_reviews', 'Sessions with a recorded break-glass review', REVIEWED_SESSIONS_SQL, {});
  return { exemptions: new Map(ex.map((x) => [x.exemption_id, x])), reviewed: new Set(rv.map((r) => r.session_key)) };
}

async function addSessionlessFindings(o: CollectOptions, tallies: readonly Tally[]): Promise<void> {
  for (const t of tallies) {
    if (t.test.kind !== 'session' || !t.test.sessionless_findings) continue;
    const rows = (await o.log.run<unknown>(o.store, `sessionless_findings:${t.test.id}`, `Findings without a session cited by test ${t.test.id}`, SESSIONLESS_FINDINGS_SQL,
      { from: o.period.from_ch, to: o.period.to_ch, kinds: [...t.test.finding_kinds] })).map((r) => FindingRow.parse(r));
    for (const f of rows) {
      await t.exception({
        control_id: t.control.id, test_id: t.test.id, item_type: 'finding', item_id: f.finding_id, time: f.event_time, person: f.person,
        identity: f.identity, resource: f.resource, surface: f.surface, mfa_binding: '', mfa_method: '', disposition: 'open_finding',
        exemption_id: '', exemption_approver: '', exemption_expires_at: '', exemption_reason: '', finding_ids: [f.finding_id], finding_kinds: [f.kind], detail: f.detail,
      }, true);
    }
  }
}

async function runRevocationTests(o: CollectOptions, tallies: readonly Tally[]): Promise<void> {
  const mine = tallies.filter((t) => t.test.kind === 'revocation');
  if (!mine.length) return;
  const p = { from: o.period.from_ch, to: o.period.to_ch };
  const episodes = (await o.log.run<unknown>(o.store, 'revocations', 'Revocation episodes whose trigger is in the period', REVOCATIONS_SQL, p)).map((r) => RevocationRow.parse(r));
  const post = (await o.log.run<unknown>(o.store, 'post_revocation_findings', 'Successful access after a revocation trigger', FINDINGS_OF_KINDS_SQL, { ...p, kinds: ['post_revocation_access'] }))
    .map((r) => FindingRow.parse(r));
  for (const t of mine) {
    for (const r of episodes) {
      const id = sha256Hex(`${r.person}\n${r.trigger_time}\n${r.trigger_ref}`).slice(0, 32);
      t.item(id, !r.over_sla, {
        row: {
          item_type: 'revocation', item_id: id, time: r.trigger_time, person: r.person, identity: r.trigger_kind, resource: `closed ${r.closed_at}`, surface: '', path: '',
          mfa_binding: '', mfa_method: '', phishing_resistant: null, result: r.over_sla ? 'exception' : 'pass', disposition: r.over_sla ? 'over_sla' : '',
          evidence_event_ids: r.evidence_event_ids,
        },
        event_ids: r.evidence_event_ids,
      });
      if (r.over_sla) {
        await t.exception({
          control_id: t.control.id, test_id: t.test.id, item_type: 'revocation', item_id: id, time: r.trigger_time, person: r.person, identity: '', resource: '',
          surface: '', mfa_binding: '', mfa_method: '', disposition: 'over_sla', exemption_id: '', exemption_approver: '', exemption_expires_at: '', exemption_reason: '',
          finding_ids: [], finding_kinds: [], detail: `${r.trigger_kind} at ${r.trigger_time}; last access path closed at ${r.closed_at} (${r.hours.toFixed(2)} h)`,
        });
      }
    }
    for (const f of post) {
      await t.exception({
        control_id: t.control.id, test_id: t.test.id, item_type: 'finding', item_id: f.finding_id, time: f.event_time, person: f.person, identity: f.identity,
        resource: f.resource, surface: f.surface, mfa_binding: '', mfa_method: '', disposition: 'open_finding', exemption_id: '', exemption_approver: '',
        exemption_expires_at: '', exemption_reason: '', finding_ids: [f.finding_id], finding_kinds: [f.kind], detail: f.detail,
      }, true);
    }
  }
}

/** Re-computes each test's counts in SQL; any difference from the streamed counts aborts the pack. */
async function reconcileCounts(o: CollectOptions, tallies: readonly Tally[]): Promise<void> {
  const p = { from: o.period.from_ch, to: o.period.to_ch };
  const done = new Map<string, { population: number; covered: number }>();
  for (const t of tallies) {
    let c = done.get(t.test.id);
    if (!c) {
      const [row] = t.test.kind === 'session'
        ? await o.log.run<{ population: string; covered: string }>(o.store, `count:${t.test.id}`, `Population and passing count of test ${t.test.id}`,
          testCountSql((t.test as SessionTest).population_sql, (t.test as SessionTest).pass_sql), p)
        : await o.log.run<{ population: string; covered: string }>(o.store, `count:${t.test.id}`, 'Revocation episodes and those within the SLA', REVOCATION_COUNT_SQL, p);
      c = { population: Number(row?.population ?? 0), covered: Number(row?.covered ?? 0) };
      done.set(t.test.id, c);
    }
    if (c.population !== t.population || c.covered !== t.covered) {
      throw new AppError('ERR_EVIDENCE_RECONCILIATION', `test ${t.test.id}: streamed ${t.population}/${t.covered} but SQL counts ${c.population}/${c.covered} (data changed during generation?)`);
    }
  }
}

async function concatExceptions(dir: string, tallies: readonly Tally[]): Promise<CsvFileSummary> {
  const out = createWriteStream(`${dir}/exceptions.csv`);
  const hash = createHash('sha256');
  let bytes = 0;
  const put = async (b: Buffer): Promise<void> => {
    hash.update(b);
    bytes += b.length;
    if (!out.write(b)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  };
  await put(Buffer.from(csvLine(EXCEPTION_HEADER)));
  // The part files are already CSV lines, one per (control, test), appended in catalog order.
  for (const t of tallies) for await (const chunk of createReadStream(t.partPath)) await put(chunk as Buffer);
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return { rows: tallies.reduce((n, t) => n + t.failed + t.extra, 0), bytes, sha256: hash.digest('hex') };
}

/** Runs the whole collection. */
export async function collectEvidence(o: CollectOptions): Promise<Collected> {
  const capacity = Math.max(40, o.sampleSize ?? 0);
  const tallies = createTallies(o.controls, CONTROL_TESTS, o.dir, o.seed, capacity);
  let population: CsvFileSummary;
  try {
    const side = await loadSide(o.store, o.log);
    const sessionTallies = tallies.filter(isSessionTally);
    population = await runPopulationPass({ store: o.store, log: o.log, period: o.period, tallies: sessionTallies, dir: o.dir, ...side, ctx: o.ctx });
    await addSessionlessFindings(o, tallies);
    await runRevocationTests(o, tallies);
  } finally {
    await Promise.all(tallies.map((t) => t.close()));
  }
  await reconcileCounts(o, tallies);
  const exceptions = await concatExceptions(o.dir, tallies);
  const findings = await writeFindingsCsv(o.store, o.log, o.period, o.dir);
  const samples = new Map<Tally, SampleRow[]>();
  const wanted: { file: string; event_ids: readonly string[] }[] = [];
  const sampleCsv = createCsvFileWriter(`${o.dir}/sample.csv`, SAMPLE_HEADER);
  for (const t of tallies) {
    const size = sampleSizeFor(t.population, o.sampleSize);
    const picked = t.reservoir.result().slice(0, size);
    const rows: SampleRow[] = [];
    for (const [i, p] of picked.entries()) {
      const raw_file = `samples/raw/${p.item.row.item_type}-${p.item.row.item_id}.jsonl`;
      const row: SampleRow = { ...p.item.row, control_id: t.control.id, test_id: t.test.id, sample_rank: i + 1, selection_score: p.score, raw_file };
      rows.push(row);
      wanted.push({ file: raw_file, event_ids: p.item.event_ids });
      await sampleCsv.write(sampleCells(row));
    }
    samples.set(t, rows);
  }
  const sample = await sampleCsv.close();
  const raw_files = await writeRawSamples(o.store, o.log, o.dir, wanted);
  return {
    results: tallies.map((t) => ({
      control_id: t.control.id, test_id: t.test.id, population: t.population, covered: t.covered, failed: t.failed, extra_exceptions: t.extra,
      exceptions: t.failed + t.extra, coverage_pct: pct(t.covered, t.population), sample_size: samples.get(t)?.length ?? 0,
      sample: samples.get(t) ?? [], exception_preview: t.preview, dispositions: { ...t.dispositions },
    })),
    files: { 'population.csv': population, 'sample.csv': sample, 'exceptions.csv': exceptions, 'findings.csv': findings.summary },
    findings_by_kind: findings.by_kind,
    raw_files,
  };
}
