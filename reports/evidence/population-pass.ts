import { z } from 'zod';
import type { Store } from '../../schema/store/store.ts';
import type { DispositionContext, SessionTest } from './control-tests.ts';
import { createCsvFileWriter, type CsvFileSummary } from './csv.ts';
import type { Period } from './period.ts';
import { FINDINGS_PAGE_SQL, POPULATION_PAGE_SQL, SESSION_FINDINGS_SQL, type QueryLog } from './queries.ts';
import type { ExceptionRow } from './results.ts';
import { FindingRow, PopulationRow, type ExemptionInfo, type FindingRef, type SessionFacts } from './rows.ts';
import type { Tally } from './tally.ts';

// One streaming pass over the sessions of the period, in keyset pages (bounded memory whatever the population):
// each page is written to population.csv, fed to the session tests' tallies and, for failing sessions, turned
// into exception rows with their disposition.

/** Rows per page of the population and findings reads. */
export const PAGE_SIZE = 10000;

/** Header of population.csv. */
export const POPULATION_HEADER = [
  'session_key', 'started_at', 'ended_at', 'person', 'identity', 'identity_kind', 'resource', 'resource_type', 'environment', 'surface',
  'path', 'privileged', 'mfa_binding', 'mfa_method', 'phishing_resistant', 'mfa_event_id', 'mfa_age_seconds', 'exemption_id',
  'break_glass', 'source', 'event_count', 'event_ids', 'controls',
] as const;

/** Header of findings.csv. */
export const FINDINGS_HEADER = ['finding_id', 'kind', 'event_time', 'person', 'identity', 'resource', 'surface', 'session_key', 'privileged', 'detail', 'evidence_event_ids'] as const;

const MIN_T = '1970-01-01 00:00:00.000';
const toCh = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;

/** The session tallies (tallies whose test is a session test). */
export type SessionTally = Tally & { readonly test: SessionTest };

/** Builds the exception row of a failing session. */
export function sessionException(t: SessionTally, s: PopulationRow, f: SessionFacts, ctx: DispositionContext): ExceptionRow {
  const d = t.test.disposition(s, f, ctx);
  const cited = t.test.finding_kinds.length ? f.findings.filter((x) => t.test.finding_kinds.includes(x.kind)) : f.findings;
  const x = d.disposition === 'exemption' ? f.exemption : undefined;
  return {
    control_id: t.control.id, test_id: t.test.id, item_type: 'session', item_id: s.session_key, time: s.started_at,
    person: s.person, identity: s.identity, resource: s.resource, surface: s.surface, mfa_binding: s.mfa_binding, mfa_method: s.mfa_method,
    disposition: d.disposition, exemption_id: x?.exemption_id ?? (d.disposition === 'exemption' ? s.exemption_id : ''),
    exemption_approver: x?.approver ?? '', exemption_expires_at: x?.expires_at ?? '', exemption_reason: x?.reason ?? '',
    finding_ids: d.disposition === 'open_finding' ? cited.map((c) => c.finding_id) : [],
    finding_kinds: d.disposition === 'open_finding' ? cited.map((c) => c.kind) : [],
    detail: d.detail,
  };
}

/** Streams the population; returns the population.csv summary. */
export async function runPopulationPass(args: {
  store: Store; log: QueryLog; period: Period; tallies: readonly SessionTally[]; dir: string;
  exemptions: ReadonlyMap<string, ExemptionInfo>; reviewed: ReadonlySet<string>; ctx: DispositionContext;
}): Promise<CsvFileSummary> {
  const { store, log, period, tallies } = args;
  const csv = createCsvFileWriter(`${args.dir}/population.csv`, POPULATION_HEADER);
  let after = { t: MIN_T, key: '' };
  for (;;) {
    const params = { from: period.from_ch, to: period.to_ch, after_t: after.t, after_key: after.key, page_size: PAGE_SIZE };
    const page = (await log.run<unknown>(store, 'population', 'Sessions that started in the period (keyset-paged; one execution per page)', POPULATION_PAGE_SQL, params,
      { from: period.from_ch, to: period.to_ch, after_t: `${MIN_T} (then the last row of the previous page)`, after_key: '', page_size: PAGE_SIZE })).map((r) => PopulationRow.parse(r));
    if (page.length === 0) break;
    const findings = new Map<string, FindingRef[]>();
    const refs = await log.run<{ session_key: string; finding_id: string; kind: string }>(store, 'session_findings', 'Findings tied to each page of sessions', SESSION_FINDINGS_SQL,
      { keys: page.map((s) => s.session_key) }, { keys: '(the session keys of each population page)' });
    for (const r of refs) {
      const list = findings.get(r.session_key) ?? [];
      list.push({ finding_id: r.finding_id, kind: r.kind });
      findings.set(r.session_key, list);
    }
    for (const s of page) {
      const facts: SessionFacts = { findings: findings.get(s.session_key) ?? [], exemption: args.exemptions.get(s.exemption_id), reviewed: args.reviewed.has(s.session_key) };
      const controls: string[] = [];
      for (const t of tallies) {
        if (!t.test.inPopulation(s)) continue;
        if (!controls.includes(t.control.id)) controls.push(t.control.id);
        const passed = t.test.passes(s, facts);
        t.item(s.session_key, passed, {
          row: {
            item_type: 'session', item_id: s.session_key, time: s.started_at, person: s.person, identity: s.identity, resource: s.resource,
            surface: s.surface, path: s.path, mfa_binding: s.mfa_binding, mfa_method: s.mfa_method, phishing_resistant: s.phishing_resistant,
            result: passed ? 'pass' : 'exception', disposition: passed ? '' : t.test.disposition(s, facts, args.ctx).disposition,
            evidence_event_ids: s.mfa_event_id && !s.event_ids.includes(s.mfa_event_id) ? [...s.event_ids, s.mfa_event_id] : s.event_ids,
          },
          event_ids: s.mfa_event_id ? [...s.event_ids, s.mfa_event_id] : s.event_ids,
        });
        if (!passed) await t.exception(sessionException(t, s, facts, args.ctx));
      }
      if (controls.length === 0) continue;
      await csv.write([
        s.session_key, s.started_at, s.ended_at, s.person, s.identity, s.identity_kind, s.resource, s.resource_type, s.environment, s.surface,
        s.path, s.privileged, s.mfa_binding, s.mfa_method, s.phishing_resistant, s.mfa_event_id, s.mfa_age_seconds, s.exemption_id,
        s.break_glass, s.source, s.event_count, s.event_ids, controls,
      ]);
    }
    const last = page[page.length - 1] as PopulationRow;
    after = { t: toCh(last.started_at), key: last.session_key };
    if (page.length < PAGE_SIZE) break;
  }
  return csv.close();
}

/** Streams findings.csv: every finding whose event time is in the period. Returns its summary and counts by kind. */
export async function writeFindingsCsv(store: Store, log: QueryLog, period: Period, dir: string): Promise<{ summary: CsvFileSummary; by_kind: Record<string, number> }> {
  const csv = createCsvFileWriter(`${dir}/findings.csv`, FINDINGS_HEADER);
  const byKind: Record<string, number> = {};
  let after = { t: MIN_T, key: '' };
  for (;;) {
    const params = { from: period.from_ch, to: period.to_ch, after_t: after.t, after_key: after.key, page_size: PAGE_SIZE };
    const page = (await log.run<unknown>(store, 'findings', 'Findings whose event time is in the period (keyset-paged)', FINDINGS_PAGE_SQL, params,
      { from: period.from_ch, to: period.to_ch, after_t: `${MIN_T} (then the last row of the previous page)`, after_key: '', page_size: PAGE_SIZE })).map((r) => FindingRow.parse(r));
    for (const f of page) {
      byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
      await csv.write([f.finding_id, f.kind, f.event_time, f.person, f.identity, f.resource, f.surface, f.session_key, f.privileged, f.detail, f.evidence_event_ids]);
    }
    if (page.length < PAGE_SIZE) break;
    const last = page[page.length - 1] as z.infer<typeof FindingRow>;
    after = { t: toCh(last.event_time), key: last.finding_id };
  }
  return { summary: await csv.close(), by_kind: byKind };
}
