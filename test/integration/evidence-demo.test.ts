import { createPublicKey } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { registerEvidencePackRoutes } from '../../api/routes/evidence-packs.ts';
import { createToken, createTokenVerifier } from '../../api/tokens.ts';
import { createContext, type AppContext } from '../../core/context.ts';
import { silentLogger } from '../../core/logger.ts';
import { markDirtyRange } from '../../ingest/correlate/dirty.ts';
import { loadDemoDataset } from '../../ingest/demo/load-demo.ts';
import { createPipeline } from '../../ingest/pipeline.ts';
import { computeMetrics, parsePeriod } from '../../reports/metrics/metrics.ts';
import { SIGNING_KEY_FILE } from '../../reports/evidence/signing.ts';
import type { Store } from '../../schema/store/store.ts';
import { runCli } from '../helpers/run-cli.ts';
import { testDeps } from '../helpers/silent-context.ts';
import { readZip, writeZip } from '../reports/evidence/zip-tools.ts';

// The acceptance path on the demo organisation: generate through the API (which correlates the stale days first)
// → download → `accessproof verify` passes; one changed byte → verify fails naming the file. The report's numbers
// are the metrics engine's.

describe('auditor path on the demo data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ap-evidence-demo-'));
  let ctx: AppContext;
  let store: Store;
  let app: FastifyInstance;
  let token: string;
  const day = (offset: number): string => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const from = day(-30);
  const to = day(0);

  beforeAll(async () => {
    ctx = createContext({ dataDir: dir }, { ACCESSPROOF_DATA_DIR: dir, LOG_LEVEL: 'silent' });
    store = await ctx.openStore();
    expect(await loadDemoDataset(ctx, store)).toBeGreaterThan(1000);
    // As the ingest pipeline does for new events: the days are stale until correlated.
    await markDirtyRange(store, Date.parse(`${day(-32)}T00:00:00.000Z`), Date.now());
    token = await createToken(store, 'auditor', 'external-auditor');
    const verify = createTokenVerifier(store);
    const deps = { ctx, store, pipeline: createPipeline({ store, ...testDeps() }), verify };
    app = await buildApp({ store, verify, logger: silentLogger(), bodyLimit: 1 << 20, version: 'test', extraRoutes: [(a) => registerEvidencePackRoutes(a, deps)] });
  }, 300_000);
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it('generate → download → verify passes; one changed byte fails naming the file', async () => {
    const headers = { authorization: `Bearer ${token}` };
    const created = await app.inject({ method: 'POST', url: '/v1/evidence-packs', payload: { framework: 'soc2', from, to }, headers });
    expect(created.statusCode).toBe(201);
    const c = created.json() as { pack_id: string; download: string; results: { control_id: string; test_id: string; population: number; covered: number; coverage_pct: number }[] };
    const priv = c.results.find((r) => r.test_id === 'privileged_mfa');
    expect(priv?.population).toBeGreaterThan(100);

    const m = await computeMetrics(store, ctx.config.file, parsePeriod(from, to));
    expect([priv?.population, priv?.covered, priv?.coverage_pct]).toEqual([m.privileged_sessions, m.mfa_covered_sessions, m.mfa_coverage_pct]);

    const dl = await app.inject({ method: 'GET', url: c.download, headers });
    expect(dl.statusCode).toBe(200);
    const pack = join(dir, 'demo-pack.zip');
    writeFileSync(pack, dl.rawPayload);
    const pub = join(dir, 'org-public-key.pem');
    writeFileSync(pub, createPublicKey(readFileSync(join(dir, SIGNING_KEY_FILE), 'utf8')).export({ type: 'spki', format: 'pem' }).toString());

    const ok = await runCli(['verify', pack, '--public-key', pub]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`VERIFIED: pack ${c.pack_id} is intact`);

    const entries = await readZip(pack);
    const pdf = entries.find(([k]) => k === 'report.pdf')?.[1] as Buffer;
    writeFileSync(join(dir, 'report.pdf'), pdf);
    const text = execFileSync('pdftotext', ['-layout', join(dir, 'report.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text).toContain(`Result of privileged_mfa for CC6.1: population ${m.privileged_sessions}, covered ${m.mfa_covered_sessions}`);
    expect(text).toContain(`MFA coverage ${m.mfa_coverage_pct.toFixed(2)}%`);
    expect(text).toContain(`Phishing-resistant ${m.phishing_resistant_pct.toFixed(2)}%`);

    const tampered = join(dir, 'tampered.zip');
    await writeZip(tampered, entries.map(([k, v]) => {
      if (k !== 'sample.csv') return [k, v];
      const b = Buffer.from(v);
      b[100] = (b[100] as number) ^ 0x20;
      return [k, b];
    }));
    const bad = await runCli(['verify', tampered, '--public-key', pub]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^FAIL {2}hash +sample.csv: changed/m);
  }, 300_000);
});
