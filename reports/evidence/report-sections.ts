import { heading, keyValues, paragraph } from '../render/blocks.ts';
import { drawTable } from '../render/table.ts';
import { CONTROL_TESTS } from './control-tests.ts';
import { CSV_ESCAPING_RULE } from './csv.ts';
import type { ReportInput } from './report-pdf.ts';
import type { ExceptionRow, TestResult } from './results.ts';
import { SAMPLE_SIZE_TABLE } from './sampling.ts';

// The per-control sections and the methodology of report.pdf.

type Doc = PDFKit.PDFDocument;

const pctText = (v: number | null): string => (v === null ? 'n/a' : `${v.toFixed(2)}%`);
const short = (s: string): string => s.slice(0, 19).replace('T', ' ');

/** The machine-readable result line of one test (tests parse the PDF text for it). */
export function resultLine(t: TestResult): string {
  return `Result of ${t.test_id} for ${t.control_id}: population ${t.population}, covered ${t.covered}, exceptions ${t.exceptions}, coverage ${pctText(t.coverage_pct)}`;
}

function exceptionDetail(e: ExceptionRow): string {
  if (e.disposition === 'exemption') return `exemption ${e.exemption_id}; approver ${e.exemption_approver || '?'}; expires ${e.exemption_expires_at || '?'}`;
  if (e.disposition === 'open_finding') return `open finding ${e.finding_kinds.join(', ')} (${e.finding_ids.map((x) => x.slice(0, 12)).join(', ')})`;
  return e.detail;
}

function testSection(doc: Doc, t: TestResult): void {
  const test = CONTROL_TESTS[t.test_id];
  heading(doc, `Test: ${test.title} (${test.id})`, 2);
  keyValues(doc, [['Population', test.population], ['Passes when', test.pass]], 95);
  paragraph(doc, resultLine(t), { bold: true });
  const disp = Object.entries(t.dispositions).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k} ${v}`).join(', ');
  if (disp) paragraph(doc, `Exceptions by disposition: ${disp}.`);
  heading(doc, `Sample: ${t.sample_size} of ${t.population}`, 3);
  if (!t.sample.length) paragraph(doc, 'Empty population: nothing to sample.');
  else {
    drawTable(doc, [
      { header: '#', width: 0.35, align: 'right' }, { header: 'Item', width: 1.15 }, { header: 'Time (UTC)', width: 1.55 }, { header: 'Person', width: 1.6 },
      { header: 'Resource', width: 1.6 }, { header: 'Binding / method', width: 1.45 }, { header: 'Result', width: 1.1 },
    ], t.sample.map((s) => [String(s.sample_rank), `${s.item_type} ${s.item_id.slice(0, 12)}`, short(s.time), s.person, s.resource,
      s.item_type === 'session' ? `${s.mfa_binding} / ${s.mfa_method}` : s.identity, s.result === 'pass' ? 'pass' : s.disposition]));
  }
  heading(doc, `Exceptions: ${t.exceptions}${t.exceptions > t.exception_preview.length ? ` (first ${t.exception_preview.length} shown; all in exceptions.csv)` : ''}`, 3);
  if (!t.exception_preview.length) paragraph(doc, 'No exceptions.');
  else {
    drawTable(doc, [
      { header: 'Item', width: 1.15 }, { header: 'Time (UTC)', width: 1.55 }, { header: 'Person', width: 1.5 }, { header: 'Resource', width: 1.4 },
      { header: 'Disposition', width: 1.15 }, { header: 'Detail', width: 2.3 },
    ], t.exception_preview.map((e) => [`${e.item_type} ${e.item_id.slice(0, 12)}`, short(e.time), e.person, e.resource, e.disposition, exceptionDetail(e)]));
  }
}

/** One section per control: requirement, test procedure, and each test's result, sample and exceptions. */
export function renderControlSections(doc: Doc, r: ReportInput): void {
  for (const c of r.controls) {
    heading(doc, `${c.id} - ${c.title}`, 1, { newPage: true });
    keyValues(doc, [['Framework', `${r.framework.name} ${r.framework.version}`], ['Requirement', c.requirement], ['Test procedure', c.test_procedure]], 95);
    for (const t of r.results.filter((x) => x.control_id === c.id)) testSection(doc, t);
  }
}

/** The methodology: population, binding, sampling (with the table), exceptions, determinism, integrity. */
export function renderMethodology(doc: Doc, r: ReportInput): void {
  heading(doc, 'Methodology', 1, { newPage: true });
  heading(doc, 'Population and completeness', 2);
  paragraph(doc, 'Authentication events from the identity provider, access gateways, hosts, databases, Kubernetes and cloud audit logs are normalized '
    + 'into one event record, stored with the original raw record (raw_events, addressed by its SHA-256) and correlated into sessions: one row per '
    + 'access of an identity to a resource through one path. Failed and denied attempts are not sessions. The population of each test is a filter on '
    + 'the sessions that started in the period, read with FINAL so each session counts once in its latest version. Every population is streamed in '
    + 'full into population.csv, and each test\'s counts are computed twice - while streaming and by an independent SQL count (queries.sql) - and '
    + 'the pack is only produced when they agree. Coverage and completeness per source are in the scope section and in queries.sql.');
  heading(doc, 'MFA binding', 2);
  paragraph(doc, 'direct: the session\'s own events prove a successful second factor. idp_bound: the session came through a gateway or federated '
    + 'path whose credential was issued shortly after an identity-provider MFA success of the same person, and the session started while that '
    + 'credential was valid. exempt: not covered, but an approved, unexpired exemption matched. none: not covered - a finding. MFA-covered means '
    + 'direct or idp_bound; exempt sessions are exceptions dispositioned by their exemption (approver and expiry shown).');
  heading(doc, 'Sampling', 2);
  paragraph(doc, 'Each control and test is sampled from its own population. The score of an item is the SHA-256 of "<seed>\\n<control id>\\n<test id>\\n<item id>" '
    + `(hex) and the sample is the items with the lowest scores. The seed (${r.seed}) is recorded in manifest.json; with the same seed and population `
    + 'anyone can re-draw the same sample from population.csv. The sample size follows the population size, read as the number of times the control '
    + `operated in the period, using the table below (after the AICPA audit guide's table for control frequency)${r.sample_size_override !== null ? `; for this pack it was overridden to ${r.sample_size_override}` : ''}. `
    + 'Where the guidance gives a range, a fixed point is used so the size is reproducible. The sample never exceeds the population.');
  drawTable(doc, [{ header: 'Population (occurrences in the period)', width: 2.4 }, { header: 'Comparable frequency', width: 2 }, { header: 'Guidance', width: 1 }, { header: 'Sample size used', width: 1.2, align: 'right' }],
    SAMPLE_SIZE_TABLE.map((t) => [Number.isFinite(t.max) ? (t.min === t.max ? String(t.min) : `${t.min}-${t.max}`) : `${t.min} or more`, t.frequency, t.guidance, String(t.size)]));
  heading(doc, 'Exceptions and dispositions', 2);
  paragraph(doc, 'Every population item that fails its test is an exception with a disposition: exemption (approved exemption with approver and '
    + 'expiry), open_finding (the bypass finding recorded for it), noted (a weaker but accepted factor, reported for information), review_pending or '
    + `review_overdue (break-glass use without a recorded review, due ${r.break_glass_review_days} day(s) after use), over_sla (access removal slower `
    + `than the ${r.revocation_sla_hours} h SLA), no_evidence, or unresolved (no finding recorded yet). Findings the test cites that are not tied to a `
    + 'session (cloud root or API use, long-lived keys, access after revocation) are listed as additional exceptions.');
  heading(doc, 'Determinism, integrity and verification', 2);
  paragraph(doc, 'The same stored data and the same parameters produce a byte-identical pack: rows are ordered by their keys, JSON is canonical, the '
    + 'zip has a fixed file order and fixed timestamps, and this PDF carries the recorded generation time as its creation date; nothing else reads '
    + 'the clock, and no identifier is random. The generation time defaults to the end of the period. manifest.json lists every file with size and '
    + 'SHA-256, the row counts, the period, the framework and controls, the tool and catalog versions, the data watermark per source and the sampling '
    + 'seed; manifest.sig is its Ed25519 signature and public-key.pem the key (compare its SHA-256 with the organisation\'s published fingerprint). '
    + '"accessproof verify pack.zip --public-key key.pem" re-checks all of it offline and names any file that changed, is missing or was added.');
  heading(doc, 'Files of the pack', 2);
  drawTable(doc, [{ header: 'File', width: 1.6 }, { header: 'What it proves', width: 5 }], [
    ['report.pdf', 'This report: scope, results per control, samples, exceptions with dispositions, methodology.'],
    ['population.csv', 'Every session in scope with its MFA binding, method, the event that proves the MFA and all its evidence event ids: the complete population.'],
    ['sample.csv', 'The sampled items per control and test, with their selection score, so the draw can be re-performed.'],
    ['samples/raw/*.jsonl', 'The original upstream records behind each sampled item; SHA-256(raw) equals raw_sha256 on every line.'],
    ['exceptions.csv', 'Every exception of every control with its disposition (exemption approver and expiry, or the open finding).'],
    ['findings.csv', 'Every bypass finding of the period with the events that prove it.'],
    ['queries.sql', 'The exact parameterized queries, their parameter values and row counts, and the completeness reconciliation per source.'],
    ['oscal/assessment-results.json', 'The same observations and findings as NIST OSCAL assessment results, for GRC tools.'],
    ['manifest.json / .sig', 'Sizes and SHA-256 of every file, signed: any change after generation is detected by verify.'],
    ['public-key.pem', 'The Ed25519 public key that verifies manifest.sig.'],
  ]);
  paragraph(doc, `CSV files: UTF-8, CRLF line ends. ${CSV_ESCAPING_RULE}; a spreadsheet then shows the value as text. Lists (event ids, controls) are space-separated.`);
}
