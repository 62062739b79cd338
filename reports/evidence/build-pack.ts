import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileConfig } from '../../core/config.ts';
import { UsageError } from '../../core/errors.ts';
import type { Store } from '../../schema/store/store.ts';
import { localSuperusers } from '../metrics/local-superusers.ts';
import { adminAccounts, computeMetrics } from '../metrics/metrics.ts';
import { CATALOG_VERSION, frameworkOf, loadCatalog, selectControls } from './catalog.ts';
import { canonicalJson, deterministicUuid, sha256Hex } from './canonical-json.ts';
import { collectEvidence } from './collect.ts';
import { CSV_ESCAPING_RULE } from './csv.ts';
import { evidenceDigest, Manifest, MANIFEST_FORMAT, RENDERED_FILES, sortFiles, type ManifestFile } from './manifest.ts';
import { buildAssessmentResults } from './oscal.ts';
import { parsePeriod } from './period.ts';
import { createQueryLog } from './queries.ts';
import { renderQueriesSql } from './queries-sql.ts';
import { loadCoverage } from './reconciliation.ts';
import { renderReportPdf } from './report-pdf.ts';
import { defaultSeed, SAMPLE_SIZE_TABLE } from './sampling.ts';
import { signBytes, type SigningKey } from './signing.ts';
import { writeDeterministicZip } from './zip.ts';

// Builds an evidence pack: collect → reconcile → render → manifest → sign → zip. Every artifact is staged on disk
// (bounded memory), then zipped in a fixed order with fixed timestamps. The same data and parameters give the
// same bytes: see README "For auditors".

/** What a caller asks for. */
export interface PackRequest {
  readonly framework: string;
  readonly controls?: readonly string[];
  readonly from: string;
  readonly to: string;
  readonly generated_at?: string;
  readonly sample_size?: number;
  readonly seed?: string;
}

/** What building needs besides the request. */
export interface PackDeps {
  readonly store: Store;
  readonly file: FileConfig;
  readonly key: SigningKey;
  readonly tool_version: string;
}

/** The outcome (for the CLI summary and the trail). */
export interface BuiltPack {
  readonly pack_id: string;
  readonly manifest: Manifest;
  readonly manifest_sha256: string;
  readonly evidence_digest: string;
  readonly zip_sha256: string;
  readonly size: number;
  readonly path: string;
}

const RESOURCES_SQL = `SELECT resource_type, resource, count() AS sessions
FROM sessions FINAL
WHERE started_at >= {from:DateTime64(3, 'UTC')} AND started_at < {to:DateTime64(3, 'UTC')}
GROUP BY resource_type, resource ORDER BY sessions DESC, resource, resource_type LIMIT 40`;
const RESOURCE_COUNT_SQL = `SELECT uniqExact(resource_type, resource) AS n
FROM sessions FINAL
WHERE started_at >= {from:DateTime64(3, 'UTC')} AND started_at < {to:DateTime64(3, 'UTC')}`;

async function hashFile(dir: string, path: string): Promise<ManifestFile> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(join(dir, path))) h.update(chunk as Buffer);
  return { path, size: statSync(join(dir, path)).size, sha256: h.digest('hex') };
}

/** Validates the request's sample size and seed (CLI and API share these rules). */
export function checkRequest(r: PackRequest): void {
  if (r.sample_size !== undefined && (!Number.isInteger(r.sample_size) || r.sample_size < 1 || r.sample_size > 10_000)) {
    throw new UsageError('sample size must be an integer from 1 to 10000');
  }
  if (r.seed !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(r.seed)) {
    throw new UsageError('seed: 1-64 characters of A-Z a-z 0-9 . _ -');
  }
}

/** Builds the pack into `outPath`. */
export async function buildPack(req: PackRequest, deps: PackDeps, outPath: string): Promise<BuiltPack> {
  checkRequest(req);
  const period = parsePeriod(req.from, req.to, req.generated_at);
  const fw = frameworkOf(req.framework);
  const controls = selectControls(req.framework, req.controls ?? []);
  const seed = req.seed ?? defaultSeed(fw.framework.id, period.from, period.to);
  const organisation = deps.file.evidence.organisation ?? deps.file.organisation;
  const dir = mkdtempSync(join(tmpdir(), 'accessproof-pack-'));
  try {
    const log = createQueryLog();
    const policy = deps.file.policy;
    const collected = await collectEvidence({
      store: deps.store, log, period, controls, dir, seed, sampleSize: req.sample_size,
      ctx: { generated_at_ms: Date.parse(period.generated_at), break_glass_review_days: policy.break_glass_review_days },
    });
    const coverage = await loadCoverage(deps.store, log, period, deps.file.sources.map((s) => s.type));
    const p = { from: period.from_ch, to: period.to_ch };
    const resources = (await log.run<{ resource_type: string; resource: string; sessions: string }>(deps.store, 'resources', 'Most used resources in the period', RESOURCES_SQL, p))
      .map((r) => ({ ...r, sessions: Number(r.sessions) }));
    const [rc] = await log.run<{ n: string }>(deps.store, 'resource_count', 'Distinct resources reached in the period', RESOURCE_COUNT_SQL, p);
    const metrics = await computeMetrics(deps.store, deps.file, { from: period.from_ms, to: period.to_ms });
    const superusers = await localSuperusers(deps.store, period.to_ms - 1, adminAccounts(deps.file));
    writeFileSync(join(dir, 'queries.sql'), renderQueriesSql({ framework: fw.framework.id, controls: controls.map((c) => c.id), period, runs: log.entries(), coverage }));
    writeFileSync(join(dir, 'public-key.pem'), deps.key.publicKeyPem);
    const dataPaths = ['population.csv', 'sample.csv', 'exceptions.csv', 'findings.csv', 'queries.sql', 'public-key.pem', ...collected.raw_files];
    const dataFiles: ManifestFile[] = [];
    for (const path of dataPaths) dataFiles.push(await hashFile(dir, path));
    const digest = evidenceDigest(dataFiles);
    const catalog = loadCatalog();
    const pack_id = deterministicUuid('accessproof-pack', canonicalJson({
      digest, framework: fw.framework.id, controls: controls.map((c) => c.id), from: period.from, to: period.to, generated_at: period.generated_at,
      seed, sample_size: req.sample_size ?? null, organisation, tool: deps.tool_version, catalog: catalog.digest,
    }));
    const oscal = buildAssessmentResults({
      pack_id, organisation, framework: fw.framework, controls, period, tool_version: deps.tool_version, catalog_version: CATALOG_VERSION,
      evidence_digest: digest, results: collected.results, findings_by_kind: collected.findings_by_kind, files: dataFiles,
    });
    mkdirSync(join(dir, 'oscal'), { recursive: true });
    writeFileSync(join(dir, 'oscal/assessment-results.json'), canonicalJson(oscal));
    await renderReportPdf(join(dir, 'report.pdf'), {
      organisation, framework: fw.framework, controls, period, pack_id, evidence_digest: digest, seed, sample_size_override: req.sample_size ?? null,
      tool_version: deps.tool_version, catalog_version: CATALOG_VERSION, signing_fingerprint: deps.key.fingerprint, results: collected.results, coverage,
      metrics, resources, resources_total: Number(rc?.n ?? 0), local_superusers: superusers, findings_by_kind: collected.findings_by_kind,
      revocation_sla_hours: policy.revocation_sla_hours, break_glass_review_days: policy.break_glass_review_days,
    });
    const files = sortFiles([...dataFiles, ...(await Promise.all(RENDERED_FILES.map((f) => hashFile(dir, f))))]);
    const manifest = Manifest.parse({
      format: MANIFEST_FORMAT,
      pack_id,
      tool: { name: 'accessproof', version: deps.tool_version },
      catalog: { version: CATALOG_VERSION, sha256: catalog.digest },
      organisation,
      framework: fw.framework,
      controls: controls.map((c) => ({ id: c.id, title: c.title, tests: [...c.tests] })),
      period: { from: period.from, to: period.to, semantics: 'UTC; from inclusive, to exclusive' },
      generated_at: period.generated_at,
      sampling: {
        seed,
        method: 'lowest SHA-256("<seed>\\n<control id>\\n<test id>\\n<item id>") first',
        size_override: req.sample_size ?? null,
        table: SAMPLE_SIZE_TABLE.map((t) => ({ population: Number.isFinite(t.max) ? `${t.min}-${t.max}` : `${t.min}+`, frequency: t.frequency, guidance: t.guidance, size: t.size })),
      },
      data_watermark: Object.fromEntries(coverage.map((c) => [c.source, c.watermark])),
      row_counts: Object.fromEntries(Object.entries(collected.files).map(([k, v]) => [k, v.rows])),
      results: collected.results.map((t) => ({
        control_id: t.control_id, test_id: t.test_id, population: t.population, covered: t.covered, exceptions: t.exceptions,
        coverage_pct: t.coverage_pct, sample_size: t.sample_size,
      })),
      csv_escaping: CSV_ESCAPING_RULE,
      signing: { algorithm: 'Ed25519', public_key_sha256: deps.key.fingerprint, public_key_file: 'public-key.pem', signature_file: 'manifest.sig' },
      evidence_digest: digest,
      evidence_digest_excludes: [...RENDERED_FILES],
      files,
    });
    const manifestBytes = Buffer.from(canonicalJson(manifest), 'utf8');
    writeFileSync(join(dir, 'manifest.json'), manifestBytes);
    writeFileSync(join(dir, 'manifest.sig'), signBytes(deps.key, manifestBytes));
    const order = ['manifest.json', 'manifest.sig', ...files.map((f) => f.path)];
    const tmp = `${outPath}.partial`;
    await writeDeterministicZip(tmp, order.map((name) => ({ source: join(dir, name), name })), period.generated_at);
    renameSync(tmp, outPath);
    const zip = await hashFile('', outPath);
    return { pack_id, manifest, manifest_sha256: sha256Hex(manifestBytes), evidence_digest: digest, zip_sha256: zip.sha256, size: zip.size, path: outPath };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
