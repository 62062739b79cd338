import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { ConfigError } from '../../core/errors.ts';

describe('loadConfig', () => {
  it('applies documented defaults and derives modes', () => {
    const c = loadConfig({});
    expect(c.env.ACCESSPROOF_PORT).toBe(8080);
    expect(c.store.mode).toBe('embedded');
    expect(c.bus.mode).toBe('memory');
    expect(c.dataDir.endsWith('/data')).toBe(true);
    expect(c.file.policy.issue_window_minutes).toBe(10);
  });

  it('switches to server and kafka mode when their variables are set; empty strings count as unset', () => {
    const c = loadConfig({ CLICKHOUSE_URL: 'http://127.0.0.1:8123', KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093', ACCESSPROOF_CONFIG: '' });
    expect(c.store.mode).toBe('server');
    expect(c.bus.brokers).toEqual(['127.0.0.1:9092', '127.0.0.1:9093']);
  });

  it('names the bad environment variable', () => {
    expect(() => loadConfig({ ACCESSPROOF_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ ACCESSPROOF_PORT: 'eighty' })).toThrow(/ACCESSPROOF_PORT/);
    expect(() => loadConfig({ CLICKHOUSE_URL: 'not a url' })).toThrow(/CLICKHOUSE_URL/);
    expect(() => loadConfig({ NORMALIZE_WORKERS: 'many' })).toThrow(/NORMALIZE_WORKERS: expected 'auto' or a whole number from 0 to 64/);
    expect(loadConfig({ NORMALIZE_WORKERS: '3' }).env.NORMALIZE_WORKERS).toBe(3);
    expect(loadConfig({}).env.NORMALIZE_WORKERS).toBe('auto');
  });

  it('names the bad key of the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ap-config-'));
    const file = join(dir, 'accessproof.yaml');
    writeFileSync(file, 'policy:\n  issue_window_minutes: -5\n');
    expect(() => loadConfig({ ACCESSPROOF_CONFIG: file })).toThrow(/policy\.issue_window_minutes/);
    writeFileSync(file, 'polciy: {}\n');
    expect(() => loadConfig({ ACCESSPROOF_CONFIG: file })).toThrow(/polciy/);
    writeFileSync(file, 'identities:\n  - person: alice@example.com\n    aliases: [alice]\n');
    expect(loadConfig({ ACCESSPROOF_CONFIG: file }).file.identities[0]?.aliases).toEqual(['alice']);
  });
});
