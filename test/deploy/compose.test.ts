import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../helpers/shared.ts';

// docker-compose.yml must validate offline (Debian's docker-compose; no Docker engine needed) and keep the shape
// README "Scaling out" documents. test/harness/setup.sh installs docker-compose when it is missing.

const SECRETS = { CLICKHOUSE_PASSWORD: 'writer-secret', GRAFANA_CLICKHOUSE_PASSWORD: 'reader-secret', GRAFANA_ADMIN_PASSWORD: 'admin-secret' };

function compose(args: string[], env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('docker-compose', ['-f', 'docker-compose.yml', ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    encoding: 'utf8',
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number };
  volumes?: (string | { source?: string; target: string; type: string })[];
  depends_on?: Record<string, { condition: string }>;
}

describe('docker-compose.yml', () => {
  it('validates with docker-compose config -q', () => {
    const r = compose(['config', '-q'], SECRETS);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('refuses to render without the secrets', () => {
    const r = compose(['config', '-q'], {});
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/CLICKHOUSE_PASSWORD/);
  });

  it('runs Kafka (KRaft), ClickHouse, connectors, two workers, the API and Grafana with health checks and named volumes', () => {
    const r = compose(['config'], SECRETS);
    expect(r.status).toBe(0);
    const doc = parse(r.stdout) as { services: Record<string, Service>; volumes: Record<string, unknown> };
    const s = doc.services;
    expect(Object.keys(s).sort()).toEqual(['api', 'clickhouse', 'connectors', 'grafana', 'kafka', 'kafka-init', 'migrate', 'worker']);
    expect(s['kafka']?.image).toMatch(/^apache\/kafka:3\.9\./);
    expect(s['kafka']?.environment).toMatchObject({ KAFKA_PROCESS_ROLES: 'broker,controller', KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false' });
    expect(s['clickhouse']?.image).toMatch(/^clickhouse\/clickhouse-server:/);
    expect(s['worker']?.command).toEqual(['worker']);
    expect(s['worker']?.deploy?.replicas).toBe(2);
    expect(s['connectors']?.command).toEqual(['start', '--no-worker']);
    expect(s['kafka-init']?.command).toEqual(['kafka', 'init']);
    for (const name of ['connectors', 'worker', 'api']) {
      expect(s[name]?.environment).toMatchObject({ KAFKA_BROKERS: 'kafka:9092', CLICKHOUSE_URL: 'http://clickhouse:8123', CLICKHOUSE_PASSWORD: 'writer-secret' });
      expect(s[name]?.depends_on).toEqual({ 'kafka-init': { condition: 'service_completed_successfully' }, migrate: { condition: 'service_completed_successfully' } });
    }
    for (const name of ['kafka', 'clickhouse', 'connectors', 'worker', 'api', 'grafana']) expect(s[name]?.healthcheck?.test.length, name).toBeGreaterThan(0);
    expect(s['grafana']?.environment).toMatchObject({ GF_INSTALL_PLUGINS: 'grafana-clickhouse-datasource' });
    const grafanaMounts = (s['grafana']?.volumes ?? []).map((v) => (typeof v === 'string' ? v : `${v.source ?? ''}:${v.target}`));
    expect(grafanaMounts.some((m) => m.includes('dashboards/grafana/provisioning') && m.includes('/etc/grafana/provisioning'))).toBe(true);
    expect(grafanaMounts.some((m) => m.includes('dashboards/grafana/json') && m.includes('/var/lib/grafana/dashboards/accessproof'))).toBe(true);
    expect(Object.keys(doc.volumes).sort()).toEqual(['api-data', 'clickhouse-data', 'connectors-data', 'grafana-data', 'kafka-data']);
  });
});

describe('Dockerfile', () => {
  // No Docker engine here: the install step is checked as text. npm ci runs patch-package in postinstall, so the
  // patches must be in the image before it, and NODE_ENV=production must not drop the devDependencies it needs.
  const lines = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8').split('\n');
  const install = lines.findIndex((l) => /^RUN npm ci\b/.test(l));

  it('copies patches/ before npm ci and installs the devDependencies (tsx, patch-package)', () => {
    expect(install).toBeGreaterThan(0);
    const copyPatches = lines.findIndex((l) => /^COPY patches \.\/patches$/.test(l));
    expect(copyPatches).toBeGreaterThan(0);
    expect(copyPatches).toBeLessThan(install);
    expect(lines[install]).toContain('--include=dev');
  });
});
