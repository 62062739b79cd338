import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  CLICKHOUSE_PLUGIN, dashboardSql, GRAFANA_DIR, lintDashboard, loadDashboards, migratedTables, tableProblems, variableProblems,
} from '../helpers/grafana-lint.ts';

const tables = migratedTables();
const dashboards = loadDashboards();

describe('Grafana dashboards (dashboards/grafana/json)', () => {
  it('ships the MFA coverage and Access findings dashboards with distinct uids', () => {
    const byUid = new Map(dashboards.map((d) => [(d.json as { uid: string }).uid, d.file]));
    expect(byUid.size).toBe(dashboards.length);
    expect([...byUid.keys()].sort()).toEqual(['accessproof-access-findings', 'accessproof-mfa-coverage']);
  });

  it.each(dashboards.map((d) => [d.file, d.json] as const))('%s passes the lint (uid, title, datasource variable, quoting, tables)', (_file, json) => {
    expect(lintDashboard(json, tables)).toEqual([]);
  });

  it.each(dashboards.map((d) => [d.file, d.json] as const))('%s queries only tables of the migrations, and reads sessions/findings/revocations', (_file, json) => {
    const sql = dashboardSql(json).map((s) => s.sql).join('\n');
    const used = new Set([...sql.matchAll(/\b(?:FROM|JOIN)\s+(\w+)/gi)].map((m) => m[1] as string));
    expect([...used].every((t) => tables.has(t))).toBe(true);
    expect(used.size).toBeGreaterThan(0);
  });

  it('covers the four tables the brief names between the two dashboards', () => {
    const all = dashboards.flatMap((d) => dashboardSql(d.json)).map((s) => s.sql).join('\n');
    for (const t of ['auth_events', 'sessions', 'findings', 'revocations']) expect(all).toMatch(new RegExp(`FROM ${t}\\b`));
  });
});

describe('the lint itself catches mistakes', () => {
  it('knows which migrated tables need FINAL', () => {
    expect(tables.get('sessions')?.needsFinal).toBe(true);
    expect(tables.get('findings')?.needsFinal).toBe(true);
    expect(tables.get('revocations')?.needsFinal).toBe(true);
    expect(tables.get('auth_events')?.needsFinal).toBe(false);
    expect(tables.has('nonexistent')).toBe(false);
  });

  it('flags bare, hand-quoted and undefined template variables but accepts :singlequote and $__conditionalAll', () => {
    const defined = new Set(['surface', 'kind']);
    expect(variableProblems("SELECT 1 FROM sessions FINAL WHERE surface IN (${surface:singlequote}) AND $__timeFilter(started_at)", defined)).toEqual([]);
    expect(variableProblems('SELECT 1 WHERE $__conditionalAll(kind IN (${kind:singlequote}), $kind)', defined)).toEqual([]);
    expect(variableProblems("SELECT 1 WHERE surface = '$surface'", defined)).toEqual(['unquoted template variable $surface (use ${surface:singlequote})']);
    expect(variableProblems('SELECT 1 WHERE kind IN (${kind})', defined)).toHaveLength(1);
    expect(variableProblems('SELECT 1 WHERE kind IN ([[kind]])', defined)).toHaveLength(1);
    expect(variableProblems("SELECT 1 WHERE x = ${nope:singlequote}", defined)).toEqual(['undefined variable ${nope:singlequote}']);
  });

  it('flags unknown tables, other databases, missing FINAL and non-SELECT statements', () => {
    expect(tableProblems('SELECT count() FROM sessions FINAL WHERE privileged', tables)).toEqual([]);
    expect(tableProblems('SELECT count() FROM (SELECT 1 FROM auth_events) t', tables)).toEqual([]);
    expect(tableProblems('SELECT count() FROM sessions WHERE privileged', tables)).toEqual(['sessions holds versioned rows with tombstones: read it with FINAL']);
    expect(tableProblems('SELECT * FROM user_sessions', tables)[0]).toMatch(/user_sessions is not created/);
    expect(tableProblems('SELECT * FROM system.tables', tables)[0]).toMatch(/system\.tables is not created/);
    expect(tableProblems('SELECT * FROM auth_events a JOIN accountz b ON a.user = b.user', tables)[0]).toMatch(/accountz/);
    expect(tableProblems('DROP TABLE auth_events', tables)).toContain('not a SELECT query');
  });

  it('flags duplicated panel ids and titles, and panels outside the 24-column grid', () => {
    const ds = { type: CLICKHOUSE_PLUGIN, uid: '${datasource}' };
    const panel = (id: number, title: string, x: number) => ({ id, title, type: 'stat', datasource: ds, gridPos: { x, y: 0, w: 12, h: 4 },
      targets: [{ refId: 'A', datasource: ds, rawSql: 'SELECT count() FROM auth_events' }] });
    const d = { uid: 'u', title: 't', templating: { list: [{ name: 'datasource', type: 'datasource', query: CLICKHOUSE_PLUGIN }] },
      panels: [panel(1, 'A', 0), panel(1, 'A', 16)] };
    expect(lintDashboard(d, tables)).toEqual([
      'panel "A": id missing or duplicated', 'panel "A": title missing or duplicated', 'panel "A": gridPos outside the 24 columns',
    ]);
  });

  it('flags a dashboard with a hard-coded datasource, no uid and no datasource variable', () => {
    const bad = {
      title: 'x',
      templating: { list: [] },
      panels: [{ id: 1, type: 'stat', title: 'p', gridPos: { x: 0, y: 0, w: 6, h: 4 }, datasource: { type: CLICKHOUSE_PLUGIN, uid: 'P1234' },
        targets: [{ refId: 'A', rawSql: 'SELECT count() FROM findings FINAL' }] }],
    };
    const problems = lintDashboard(bad, tables);
    expect(problems).toContain('uid missing or not 1-40 of [A-Za-z0-9_-]');
    expect(problems).toContain(`no "datasource" variable of type datasource for ${CLICKHOUSE_PLUGIN}`);
    expect(problems.some((p) => p.includes('$.panels[0].datasource') && p.includes('P1234'))).toBe(true);
  });
});

describe('Grafana provisioning (dashboards/grafana/provisioning)', () => {
  const readYaml = (...p: string[]): Record<string, unknown> => parse(readFileSync(join(GRAFANA_DIR, 'provisioning', ...p), 'utf8')) as Record<string, unknown>;

  it('provisions the ClickHouse plugin datasource against the compose clickhouse service as the read-only account', () => {
    const doc = readYaml('datasources', 'accessproof-clickhouse.yaml') as { apiVersion: number; datasources: Record<string, unknown>[] };
    expect(doc.apiVersion).toBe(1);
    expect(doc.datasources).toHaveLength(1);
    const ds = doc.datasources[0] as { type: string; uid: string; jsonData: Record<string, unknown>; secureJsonData: Record<string, unknown> };
    expect(ds.type).toBe(CLICKHOUSE_PLUGIN);
    expect(ds.jsonData).toMatchObject({ host: 'clickhouse', port: 9000, protocol: 'native', username: 'grafana_reader', defaultDatabase: '$CLICKHOUSE_DATABASE' });
    // The password comes from the environment, never from the file.
    expect(ds.secureJsonData.password).toBe('$GRAFANA_CLICKHOUSE_PASSWORD');
    // Each dashboard's datasource variable defaults to this datasource.
    for (const d of dashboards) {
      const v = (d.json as { templating: { list: { name: string; current: { value: string } }[] } }).templating.list.find((x) => x.name === 'datasource');
      expect(v?.current.value).toBe(ds.uid);
    }
  });

  it('the read-only account exists on the ClickHouse side with readonly=1 and only max_execution_time changeable', () => {
    const xml = readFileSync(join(GRAFANA_DIR, 'clickhouse', 'users.d', 'grafana-reader.xml'), 'utf8');
    expect(xml).toMatch(/<users>\s*<grafana_reader>/);
    expect(xml).toMatch(/<readonly>1<\/readonly>/);
    expect(xml).toMatch(/<max_execution_time>\s*<min>1<\/min>\s*<max>300<\/max>\s*<changeable_in_readonly\/>/);
    expect(xml).toMatch(/<password from_env="GRAFANA_CLICKHOUSE_PASSWORD"\/>/);
    expect(xml).toMatch(/<database from_env="CLICKHOUSE_DATABASE"\/>/);
    expect(existsSync(join(GRAFANA_DIR, 'clickhouse', 'config.d', 'access-control.xml'))).toBe(true);
  });

  it('the dashboards provider loads the mounted json folder, read-only', () => {
    const doc = readYaml('dashboards', 'accessproof.yaml') as { providers: Record<string, unknown>[] };
    expect(doc.providers).toHaveLength(1);
    expect(doc.providers[0]).toMatchObject({ type: 'file', editable: false, allowUiUpdates: false, options: { path: '/var/lib/grafana/dashboards/accessproof' } });
  });
});
