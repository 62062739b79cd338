import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../helpers/run-cli.ts';
import { sharedPath } from '../helpers/shared.ts';
import { generateCorpus } from '../../bench/corpus/index.ts';

describe('accessproof CLI (child process)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ap-cli-'));
  const env = { ACCESSPROOF_DATA_DIR: dataDir };
  const children: { kill(): boolean }[] = [];
  afterAll(() => { for (const c of children) c.kill(); });

  it('ingest prints one JSON summary line; a second import stores nothing new', async () => {
    const files = [sharedPath('samples', 'okta.jsonl'), sharedPath('samples', 'okta.malformed.jsonl')];
    const first = await runCli(['ingest', '--source', 'okta', ...files], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const s1 = JSON.parse(lines[0] as string) as Record<string, number>;
    expect(Object.keys(s1).slice(0, 4)).toEqual(['read', 'stored', 'duplicates', 'dead_lettered']);
    expect(s1.stored).toBeGreaterThanOrEqual(36);
    expect(s1.dead_lettered).toBeGreaterThanOrEqual(1);
    const second = await runCli(['ingest', '--source', 'okta', sharedPath('samples', 'okta.jsonl')], env);
    const s2 = JSON.parse(second.stdout) as Record<string, number>;
    expect(s2.stored).toBe(0);
    expect(s2.duplicates).toBe(s1.stored);
  });

  it('ingest of a big file on normalise workers stores what the main thread stores (same summary, same event ids)', async () => {
    const corpus = generateCorpus(11, 1200);
    const file = join(mkdtempSync(join(tmpdir(), 'ap-cli-big-')), 'okta-big.jsonl');
    writeFileSync(file, `${corpus.messages.okta.map((m) => m.value.toString('utf8')).join('\n')}\nnot json\n`);
    const run = async (dir: string, workers: string): Promise<Record<string, number>> => {
      const r = await runCli(['ingest', '--source', 'okta', file], { ACCESSPROOF_DATA_DIR: dir, NORMALIZE_WORKERS: workers, STORE_BATCH_SIZE: '500' });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as Record<string, number>;
    };
    const pooledDir = mkdtempSync(join(tmpdir(), 'ap-cli-w2-'));
    const pooled = await run(pooledDir, '2');
    const inline = await run(mkdtempSync(join(tmpdir(), 'ap-cli-w0-')), '0');
    expect(pooled).toEqual(inline);
    expect(pooled.stored).toBe(1200);
    expect(pooled.dead_lettered).toBe(1);
    // The same file again on the main thread finds every event the workers stored.
    const again = await run(pooledDir, '0');
    expect(again.stored).toBe(0);
    expect(again.duplicates).toBe(1200);
  });

  it('normalize prints events with input_ref and reports rejects on stderr', async () => {
    const file = sharedPath('samples', 'okta.malformed.jsonl');
    const r = await runCli(['normalize', '--source', 'okta', sharedPath('samples', 'okta.jsonl'), file], { ACCESSPROOF_DATA_DIR: join(dataDir, 'unused') });
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { input_ref: string; event_id: string; source: string });
    expect(events.length).toBeGreaterThanOrEqual(36);
    expect(events[0]?.input_ref).toBe(`${sharedPath('samples', 'okta.jsonl')}:1`);
    expect(events.every((e) => e.source === 'okta')).toBe(true);
    const rejects = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as { input_ref: string; reason?: string });
    expect(rejects.some((x) => x.input_ref === `${file}:1` && x.reason === 'invalid_json')).toBe(true);
  });

  it('token create prints a token once; unknown role is a usage error', async () => {
    const r = await runCli(['token', 'create', '--role', 'auditor', '--name', 'ext-audit'], env);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^ap_[A-Za-z0-9_-]{20,}$/);
    const bad = await runCli(['token', 'create', '--role', 'god'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('invalid configuration: one clear message naming the key, exit code 2', async () => {
    const r = await runCli(['ingest', '--source', 'okta', sharedPath('samples', 'okta.jsonl')], { ...env, ACCESSPROOF_PORT: 'abc' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ACCESSPROOF_PORT/);
    const cfg = join(dataDir, 'bad.yaml');
    writeFileSync(cfg, 'policy:\n  credential_ttl_hours: "soon"\n');
    const r2 = await runCli(['--config', cfg, 'migrate'], env);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/policy\.credential_ttl_hours/);
  });

  it('errors are one line on stderr with a non-zero exit', async () => {
    const r = await runCli(['ingest', '--source', 'nosuch', '/nonexistent'], env);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const r2 = await runCli(['ingest', '--source', 'okta', '/nonexistent/file.jsonl'], env);
    expect(r2.code).toBe(1);
    expect(r2.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a second process opening the same embedded store gets a clear error', async () => {
    const holder = await spawnCli(['start'], { ...env, ACCESSPROOF_PORT: '0' }, /accessproof started/);
    children.push(holder.child);
    const r = await runCli(['ingest', '--source', 'okta', sharedPath('samples', 'okta.jsonl')], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/in use by another accessproof process/);
    holder.child.kill('SIGTERM');
    await new Promise((res) => holder.child.once('exit', res));
  });
});
