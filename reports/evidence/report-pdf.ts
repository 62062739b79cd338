import type { Metrics } from '../metrics/metrics.ts';
import type { LocalSuperuser } from '../metrics/local-superusers.ts';
import { heading, keyValues, paragraph } from '../render/blocks.ts';
import { createReportDocument, pdfText } from '../render/pdf-document.ts';
import { drawTable } from '../render/table.ts';
import type { CatalogControl } from './catalog.ts';
import type { Period } from './period.ts';
import type { SourceCoverage } from './reconciliation.ts';
import { renderControlSections, renderMethodology } from './report-sections.ts';
import type { TestResult } from './results.ts';
import { CONTROL_TESTS } from './control-tests.ts';

// report.pdf: cover, summary of results, scope (sources with their coverage and gaps, completeness
// reconciliation, resources), one section per control, methodology. Numbers are printed as plain digits and
// percentages with two decimals, the same values as the CSVs, the manifest and the metrics engine.

/** Everything the report prints. */
export interface ReportInput {
  readonly organisation: string;
  readonly framework: { readonly id: string; readonly name: string; readonly version: string };
  readonly controls: readonly CatalogControl[];
  readonly period: Period;
  readonly pack_id: string;
  readonly evidence_digest: string;
  readonly seed: string;
  readonly sample_size_override: number | null;
  readonly tool_version: string;
  readonly catalog_version: string;
  readonly signing_fingerprint: string;
  readonly results: readonly TestResult[];
  readonly coverage: readonly SourceCoverage[];
  readonly metrics: Metrics | null;
  readonly resources: readonly { resource_type: string; resource: string; sessions: number }[];
  readonly resources_total: number;
  readonly local_superusers: readonly LocalSuperuser[];
  readonly findings_by_kind: Readonly<Record<string, number>>;
  readonly revocation_sla_hours: number;
  readonly break_glass_review_days: number;
}

/** Formats a percentage (two decimals) or n/a. */
export const fmtPct = (v: number | null): string => (v === null ? 'n/a' : `${v.toFixed(2)}%`);

function cover(doc: PDFKit.PDFDocument, r: ReportInput): void {
  doc.moveDown(4);
  doc.font('Helvetica-Bold').fontSize(24).text('Privileged access evidence pack');
  doc.moveDown(0.5);
  doc.font('Helvetica').fontSize(14).text(pdfText(`${r.framework.name} ${r.framework.version}`));
  doc.moveDown(2);
  keyValues(doc, [
    ['Organisation', r.organisation],
    ['Framework', `${r.framework.name} ${r.framework.version} (${r.framework.id})`],
    ['Controls', r.controls.map((c) => c.id).join(', ')],
    ['Period', `${r.period.from} to ${r.period.to} (UTC; start inclusive, end exclusive)`],
    ['Generated at', `${r.period.generated_at} (recorded generation time)`],
    ['Pack id', r.pack_id],
    ['Evidence digest', r.evidence_digest],
    ['Signing key (SHA-256)', r.signing_fingerprint],
    ['Sampling seed', r.seed],
    ['Tool', `accessproof ${r.tool_version}, control catalog ${r.catalog_version}`],
  ], 140);
  doc.moveDown(1);
  paragraph(doc, 'The evidence digest is the SHA-256 of the manifest lines "<sha256>  <size>  <path>" of every data file in this pack '
    + '(all files except report.pdf and oscal/assessment-results.json, which are rendered from them). manifest.json lists every file '
    + 'with its size and SHA-256 and is signed with Ed25519 (manifest.sig). Run "accessproof verify <pack.zip> --public-key <key.pem>" '
    + 'to check that nothing was changed after generation.', { size: 8.5, color: '#333333' });
}

function summary(doc: PDFKit.PDFDocument, r: ReportInput): void {
  heading(doc, 'Summary of results', 1, { newPage: true });
  paragraph(doc, 'One row per control and test. Population: the items the test examined. Covered: items that passed. Exceptions: items that '
    + 'failed plus findings the test cites that are not population items (each listed with its disposition in the control section and in exceptions.csv).');
  drawTable(doc, [
    { header: 'Control', width: 1.1 }, { header: 'Test', width: 2.6 }, { header: 'Population', width: 1.1, align: 'right' },
    { header: 'Covered', width: 1, align: 'right' }, { header: 'Exceptions', width: 1.1, align: 'right' }, { header: 'Coverage', width: 1.1, align: 'right' },
    { header: 'Sample', width: 0.9, align: 'right' },
  ], r.results.map((t) => [t.control_id, CONTROL_TESTS[t.test_id].title, String(t.population), String(t.covered), String(t.exceptions), fmtPct(t.coverage_pct), String(t.sample_size)]), { size: 8 });
  const m = r.metrics;
  if (!m) return;
  heading(doc, 'Key figures of the period (metrics engine)', 2);
  keyValues(doc, [
    ['Privileged sessions', String(m.privileged_sessions)],
    ['MFA-covered sessions', String(m.mfa_covered_sessions)],
    ['MFA coverage', fmtPct(m.mfa_coverage_pct)],
    ['Binding', `direct ${m.coverage_by_binding.direct}, idp_bound ${m.coverage_by_binding.idp_bound}, exempt ${m.coverage_by_binding.exempt}, none ${m.coverage_by_binding.none}`],
    ['Phishing-resistant', fmtPct(m.phishing_resistant_pct)],
    ['Findings', m.findings.filter((f) => f.count > 0).map((f) => `${f.kind} ${f.count}`).join(', ') || 'none'],
    ['Local superuser accounts', String(m.local_superuser_accounts)],
    ['Time to revoke (hours)', `episodes ${m.time_to_revoke_hours.count}, p50 ${m.time_to_revoke_hours.p50 ?? '-'}, p90 ${m.time_to_revoke_hours.p90 ?? '-'}, max ${m.time_to_revoke_hours.max ?? '-'}, over SLA ${m.time_to_revoke_hours.over_sla}`],
    ['Failed logins / MFA failures', `${m.failed_logins} / ${m.mfa_failures}`],
    ['Break-glass uses', `${m.break_glass.uses} (reviewed ${m.break_glass.reviewed}, unreviewed ${m.break_glass.unreviewed})`],
    ['Exemptions', `active ${m.exemptions.active}, expired ${m.exemptions.expired}`],
  ], 150);
  if (m.coverage_by_surface.length) {
    drawTable(doc, [{ header: 'Surface', width: 2 }, { header: 'Privileged sessions', width: 1.5, align: 'right' }, { header: 'MFA-covered', width: 1.5, align: 'right' }, { header: 'Coverage', width: 1.2, align: 'right' }],
      m.coverage_by_surface.map((s) => [s.surface, String(s.privileged_sessions), String(s.mfa_covered_sessions), fmtPct(s.mfa_coverage_pct)]));
  }
}

function scope(doc: PDFKit.PDFDocument, r: ReportInput): void {
  heading(doc, 'Scope and completeness', 1, { newPage: true });
  paragraph(doc, 'Sources in scope and how completely each delivered events over the period. Coverage is the share of '
    + `${r.coverage[0]?.buckets_total && r.coverage[0].buckets_total <= 72 ? 'hours' : 'days'} of the period holding at least one stored event; `
    + 'runs of empty buckets are listed as gaps. The watermark is the latest event time stored for the source: data is complete as of that time.');
  drawTable(doc, [
    { header: 'Source', width: 1.4 }, { header: 'Kind', width: 1 }, { header: 'Stored events', width: 1.2, align: 'right' }, { header: 'Coverage', width: 1, align: 'right' },
    { header: 'Gaps', width: 0.7, align: 'right' }, { header: 'Watermark', width: 2.2 },
  ], r.coverage.map((c) => [c.source, c.kind, String(c.stored_events), `${c.coverage_pct.toFixed(2)}%`, String(c.gaps.length), c.watermark ?? 'no events']));
  const gaps = r.coverage.flatMap((c) => c.gaps.map((g) => [c.source, g.from, g.to]));
  if (gaps.length) {
    heading(doc, 'Coverage gaps', 2);
    drawTable(doc, [{ header: 'Source', width: 1 }, { header: 'No events from', width: 2 }, { header: 'Until', width: 2 }], gaps);
  }
  heading(doc, 'Completeness reconciliation', 2);
  paragraph(doc, 'Per source: records received by the ingestion batches whose events fall in the period, events normalized from them, records '
    + 'dead-lettered (kept with their reason) or dropped as expected noise, and what is stored for the period. queries.sql holds the exact queries.');
  drawTable(doc, [
    { header: 'Source', width: 1.3 }, { header: 'Received', width: 1, align: 'right' }, { header: 'Normalized', width: 1.1, align: 'right' },
    { header: 'Dead-lettered', width: 1.1, align: 'right' }, { header: 'Dropped', width: 0.9, align: 'right' }, { header: 'Stored events', width: 1.1, align: 'right' },
    { header: 'Stored raw', width: 1, align: 'right' },
  ], r.coverage.map((c) => [c.source, String(c.received), String(c.normalized_events), String(c.dead_lettered), String(c.dropped), String(c.stored_events), String(c.stored_raw_records)]));
  heading(doc, 'Resources in scope', 2);
  paragraph(doc, `${r.resources_total} distinct resources were reached by sessions in the period; the most used are listed (all are in population.csv).`);
  if (r.resources.length) {
    drawTable(doc, [{ header: 'Resource', width: 4 }, { header: 'Type', width: 1.3 }, { header: 'Sessions', width: 1, align: 'right' }],
      r.resources.map((x) => [x.resource, x.resource_type, String(x.sessions)]));
  }
  heading(doc, 'Local superuser accounts at the end of the period', 2);
  if (!r.local_superusers.length) paragraph(doc, 'None found in the account inventory.');
  else {
    drawTable(doc, [{ header: 'Account', width: 1.3 }, { header: 'User', width: 1.6 }, { header: 'Root', width: 0.6 }, { header: 'Password', width: 0.8 }, { header: 'Active keys', width: 0.8, align: 'right' }],
      r.local_superusers.map((u) => [u.account_id, u.user, u.is_root ? 'yes' : 'no', u.password_enabled ? 'yes' : 'no', String(u.active_keys)]));
  }
}

/** Renders report.pdf into `path`; resolves with its size, SHA-256 and page count. */
export async function renderReportPdf(path: string, r: ReportInput): Promise<{ size: number; sha256: string; pages: number }> {
  const report = createReportDocument(path, {
    title: `Privileged access evidence - ${r.framework.name} ${r.framework.version}`,
    subject: `Evidence pack ${r.pack_id} for ${r.period.from} to ${r.period.to}`,
    author: r.organisation,
    keywords: `accessproof, ${r.framework.id}, ${r.controls.map((c) => c.id).join(', ')}`,
    created_at: r.period.generated_at,
    running_header: `${r.organisation} - ${r.framework.name} ${r.framework.version} - ${r.period.from.slice(0, 10)} to ${r.period.to.slice(0, 10)}`,
    footer: `Evidence pack ${r.pack_id}`,
  });
  const doc = report.doc;
  cover(doc, r);
  summary(doc, r);
  scope(doc, r);
  renderControlSections(doc, r);
  renderMethodology(doc, r);
  return report.finish();
}
