import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../core/context.ts';
import { startServer, type RunningServer } from '../../core/main.ts';
import type { Metrics } from '../../reports/metrics/metrics.ts';
import { dashboardSql, expandGrafanaSql, loadDashboards } from '../helpers/grafana-lint.ts';

// The built-in dashboard against the real server with the demo organisation, in headless Debian Chromium.
// The page's numbers must be exactly GET /v1/metrics for the same period; drill-downs must show the API's rows.

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The default period of the page, computed independently: the 30 UTC days ending today, `to` exclusive. */
function last30Days(now = new Date()): { from: string; to: string } {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return {
    from: new Date(today - 29 * 86_400_000).toISOString().slice(0, 10),
    to: new Date(today + 86_400_000).toISOString(),
  };
}

const pct = (x: number): string => `${x.toLocaleString('en-US', { maximumFractionDigits: 2, useGrouping: false })}%`;
const int = (n: number): string => n.toLocaleString('en-US');

describe('web dashboard (headless Chromium, demo data)', () => {
  let dir: string;
  let server: RunningServer;
  let token: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const shotDir = mkdtempSync(join(tmpdir(), 'accessproof-dashboard-shots-'));

  const api = async <T>(path: string): Promise<T> => {
    const r = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status, path).toBe(200);
    return (await r.json()) as T;
  };

  const waitReady = (p: Page): Promise<unknown> => p.waitForFunction(() => document.body.dataset.state === 'ready', undefined, { timeout: 120_000 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'accessproof-dashboard-'));
    const env = { ...process.env, ACCESSPROOF_DATA_DIR: dir, ACCESSPROOF_HOST: '127.0.0.1', ACCESSPROOF_PORT: '0', LOG_LEVEL: 'silent', CLICKHOUSE_URL: '', KAFKA_BROKERS: '' };
    const ctx = createContext({ dataDir: dir }, env);
    server = await startServer(ctx, { demo: true });
    token = readFileSync(join(dir, 'demo-token.txt'), 'utf8').trim();
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('asks for a token, rejects a wrong one with the API message, and opens with the right one', async () => {
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => document.body.dataset.state === 'token');
    expect(await page.isVisible('#token-form')).toBe(true);
    expect(await page.isVisible('#main')).toBe(false);

    await page.fill('#token-input', 'ap_not-a-valid-token');
    await page.click('#token-form button[type=submit]');
    await page.waitForFunction(() => document.body.dataset.state === 'token' && !document.getElementById('token-error')?.hidden);
    expect(await page.textContent('#token-error')).toContain('401 unauthorized');

    const metricsRequest = page.waitForRequest((r) => r.url().includes('/v1/metrics'));
    await page.fill('#token-input', token);
    await page.click('#token-form button[type=submit]');
    const url = new URL((await metricsRequest).url());
    expect({ from: url.searchParams.get('from'), to: url.searchParams.get('to') }).toEqual(last30Days());
    await waitReady(page);
    expect(await page.isVisible('#token-panel')).toBe(false);
  });

  it('shows exactly the numbers of GET /v1/metrics for the default period (last 30 days)', async () => {
    const p = last30Days();
    const m = await api<Metrics>(`/v1/metrics?from=${p.from}&to=${encodeURIComponent(p.to)}`);
    // The demo must exercise the panels, or these comparisons prove nothing.
    expect(m.privileged_sessions).toBeGreaterThan(0);
    expect(m.findings.some((f) => f.count > 0)).toBe(true);

    const kpi = async (id: string): Promise<{ text: string; value: string }> => ({
      text: ((await page.textContent(`#${id}`)) ?? '').trim(),
      value: (await page.getAttribute(`#${id}`, 'data-value')) ?? '',
    });
    expect(await kpi('kpi-coverage')).toEqual({ text: pct(m.mfa_coverage_pct), value: String(m.mfa_coverage_pct) });
    expect(await kpi('kpi-phishing')).toEqual({ text: pct(m.phishing_resistant_pct), value: String(m.phishing_resistant_pct) });
    const findingsTotal = m.findings.reduce((s, f) => s + f.count, 0);
    expect(await kpi('kpi-findings')).toEqual({ text: int(findingsTotal), value: String(findingsTotal) });
    expect(await kpi('kpi-superusers')).toEqual({ text: int(m.local_superuser_accounts), value: String(m.local_superuser_accounts) });
    expect(await kpi('kpi-failed')).toEqual({ text: int(m.failed_logins), value: String(m.failed_logins) });
    expect(await kpi('kpi-mfa-failures')).toEqual({ text: int(m.mfa_failures), value: String(m.mfa_failures) });
    expect(await page.textContent('#kpi-coverage-sub')).toContain(`${int(m.mfa_covered_sessions)} of ${int(m.privileged_sessions)} privileged sessions`);

    // Bars: one per binding, surface, method and finding kind, each with the API's count.
    const barValues = (testid: string) => page.$$eval(`[data-testid="${testid}"] .bar-row`, (rows) =>
      rows.map((r) => [(r as HTMLElement).dataset.key ?? '', r.querySelector('.bar-value')?.firstChild?.textContent ?? '']));
    expect(Object.fromEntries(await barValues('binding-bars'))).toEqual(Object.fromEntries(
      Object.entries(m.coverage_by_binding).map(([b, n]) => [`binding:${b}`, int(n)])));
    expect(Object.fromEntries(await barValues('surface-bars'))).toEqual(Object.fromEntries(
      m.coverage_by_surface.map((s) => [`surface:${s.surface}`, pct(s.mfa_coverage_pct)])));
    expect(Object.fromEntries(await barValues('method-bars'))).toEqual(Object.fromEntries(m.mfa_methods.map((x) => [`method:${x.method}`, int(x.sessions)])));
    expect(Object.fromEntries(await barValues('finding-bars'))).toEqual(Object.fromEntries(m.findings.map((f) => [`findings:${f.kind}`, int(f.count)])));

    const stat = async (testid: string) => page.getAttribute(`[data-testid="${testid}"]`, 'data-value');
    expect(await stat('revoke-count')).toBe(String(m.time_to_revoke_hours.count));
    expect(await stat('revoke-over-sla')).toBe(String(m.time_to_revoke_hours.over_sla));
    expect(await stat('revoke-p90')).toBe(String(m.time_to_revoke_hours.p90 ?? ''));
    expect(await stat('break-glass-reviewed')).toBe(String(m.break_glass.reviewed));
    expect(await stat('break-glass-unreviewed')).toBe(String(m.break_glass.unreviewed));
    expect(await stat('exemptions-active')).toBe(String(m.exemptions.active));
    expect(await stat('exemptions-expired')).toBe(String(m.exemptions.expired));

    // Source health and recent events come from their routes too.
    const sources = await api<{ sources: unknown[] }>('/v1/sources');
    expect(await page.$$eval('[data-testid="sources-table"] tbody tr', (r) => r.length)).toBe(sources.sources.length);
    const events = await api<{ events: { event_time: string }[] }>(`/v1/events?from=${p.from}&to=${encodeURIComponent(p.to)}&limit=25`);
    expect(events.events.length).toBeGreaterThan(0);
    const firstEventTime = await page.textContent('[data-testid="events-table"] tbody tr td');
    expect(firstEventTime).toBe((events.events[0] as { event_time: string }).event_time.replace('T', ' ').replace(/\.\d+Z$/, ''));

    await page.screenshot({ path: join(shotDir, 'dashboard-1280x800.png') });
    await page.screenshot({ path: join(shotDir, 'dashboard-full.png'), fullPage: true });
    process.stderr.write(`[dashboard] screenshots in ${shotDir}\n`);
  });

  it('drills down from a finding kind to its findings, and from a person to their sessions', async () => {
    const p = last30Days();
    const m = await api<Metrics>(`/v1/metrics?from=${p.from}&to=${encodeURIComponent(p.to)}`);
    const top = [...m.findings].sort((a, b) => b.count - a.count)[0] as { kind: string; count: number };
    const expected = await api<{ findings: { person: string; resource: string; event_time: string }[]; next_cursor: string | null }>(
      `/v1/findings?kind=${top.kind}&from=${p.from}&to=${encodeURIComponent(p.to)}&limit=50`);
    expect(expected.findings.length).toBe(Math.min(top.count, 50));

    const request = page.waitForRequest((r) => r.url().includes('/v1/findings?'));
    await page.click(`[data-testid="finding-bars"] button[data-key="findings:${top.kind}"]`);
    const sent = new URL((await request).url()).searchParams;
    expect(Object.fromEntries(sent)).toMatchObject({ kind: top.kind, from: p.from, to: p.to, limit: '50' });
    await page.waitForSelector('[data-testid="findings-table"]');
    expect(await page.getAttribute(`button[data-key="findings:${top.kind}"]`, 'aria-pressed')).toBe('true');
    const rows = await page.$$eval('[data-testid="findings-table"] tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(rows.length).toBe(expected.findings.length);
    expect(rows.map((r) => r[4])).toEqual(expected.findings.map((f) => f.resource));
    expect(rows.map((r) => r[0])).toEqual(expected.findings.map((f) => f.event_time.replace('T', ' ').replace(/\.\d+Z$/, '')));
    expect(await page.isVisible('#drilldown-more')).toBe(expected.next_cursor !== null);
    await page.screenshot({ path: join(shotDir, 'drilldown-findings.png'), fullPage: true });

    const person = expected.findings.find((f) => f.person)?.person;
    if (person) {
      const sessions = await api<{ sessions: { resource: string }[] }>(`/v1/sessions?person=${encodeURIComponent(person)}&from=${p.from}&to=${encodeURIComponent(p.to)}&limit=50`);
      await page.click(`[data-testid="findings-table"] button.linkish >> text="${person}"`);
      await page.waitForSelector('[data-testid="sessions-table"], #drilldown-body .empty');
      expect(await page.textContent('#drilldown-title')).toBe(`Sessions of ${person}`);
      // The list renders its table first and fills it as pages arrive: wait for the rows, then compare.
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="sessions-table"] tbody tr').length === n,
        sessions.sessions.length, { timeout: 15_000 }).catch(() => undefined);
      expect(await page.$$eval('[data-testid="sessions-table"] tbody tr', (r) => r.length)).toBe(sessions.sessions.length);
    }
  });

  it('drills down from a binding bar to exactly the sessions the bar counts, page by page', async () => {
    const p = last30Days();
    const m = await api<Metrics>(`/v1/metrics?from=${p.from}&to=${encodeURIComponent(p.to)}`);
    expect(m.coverage_by_binding.none).toBeGreaterThan(50); // so that paging is exercised
    await page.click('[data-testid="binding-bars"] button[data-key="binding:none"]');
    await page.waitForFunction(() => document.getElementById('drilldown-title')?.textContent?.includes('None (no MFA)'));
    await page.waitForSelector('[data-testid="sessions-table"]');
    const rowCount = (): Promise<number> => page.$$eval('[data-testid="sessions-table"] tbody tr', (r) => r.length);
    expect(await rowCount()).toBeGreaterThanOrEqual(50);
    for (let i = 0; i < 20 && await page.isVisible('#drilldown-more'); i++) {
      const before = await rowCount();
      await page.click('#drilldown-more');
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="sessions-table"] tbody tr').length > n
        || document.getElementById('drilldown-more')?.hidden === true, before);
    }
    expect(await page.isVisible('#drilldown-more')).toBe(false);
    const cells = await page.$$eval('[data-testid="sessions-table"] tbody tr', (trs) => trs.map((tr) => {
      const td = tr.querySelectorAll('td');
      return { kind: td[3]?.textContent ?? '', binding: td[7]?.textContent ?? '' };
    }));
    // Every session the "None" bar counts, and only those (service identities are outside the coverage figures).
    expect(cells.length).toBe(m.coverage_by_binding.none);
    expect(cells.every((c) => c.binding === 'None (no MFA)' && c.kind !== 'service')).toBe(true);
    expect(await page.textContent('[data-testid="sessions-table"] caption')).toMatch(/sessions of service identities are not listed|^Correlated sessions \(GET \/v1\/sessions\)\.$/);
    await page.click('#drilldown-close');
    expect(await page.isVisible('#drilldown')).toBe(false);
  });

  it('switches to a calendar month with the month picker and shows that month\'s metrics', async () => {
    const now = new Date();
    const prev = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
    const month = prev.toISOString().slice(0, 7);
    const from = `${month}-01`;
    const to = new Date(Date.UTC(prev.getUTCFullYear(), prev.getUTCMonth() + 1, 1)).toISOString();
    const m = await api<Metrics>(`/v1/metrics?from=${from}&to=${encodeURIComponent(to)}`);
    const request = page.waitForRequest((r) => r.url().includes('/v1/metrics'));
    await page.fill('#period-month', month);
    await page.dispatchEvent('#period-month', 'change');
    const sent = new URL((await request).url()).searchParams;
    expect({ from: sent.get('from'), to: sent.get('to') }).toEqual({ from, to });
    await waitReady(page);
    expect(await page.getAttribute('#kpi-coverage', 'data-value')).toBe(String(m.mfa_coverage_pct));
    expect(await page.textContent('#kpi-failed')).toBe(int(m.failed_logins));
    expect(await page.textContent('#period-label')).toContain(`${from} to ${new Date(Date.parse(to) - 86_400_000).toISOString().slice(0, 10)}`);
    await page.check('input[name="period-mode"][value="last30"]');
    await waitReady(page);
  });

  it('shows API errors in the panel instead of swallowing them', async () => {
    await page.route('**/v1/sources', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: 'store_unavailable', message: 'ClickHouse is not reachable' }) }));
    await page.click('#refresh');
    await waitReady(page);
    expect(await page.textContent('#sources-error')).toBe('GET /v1/sources → 503 store_unavailable: ClickHouse is not reachable');
    await page.unroute('**/v1/sources');
    await page.click('#refresh');
    await waitReady(page);
    expect(await page.isVisible('#sources-error')).toBe(false);
  });

  it('asks for the token again when the API answers 401', async () => {
    await page.evaluate(() => sessionStorage.setItem('accessproof.token', 'ap_revoked-token'));
    await page.click('#refresh');
    await page.waitForFunction(() => document.body.dataset.state === 'token');
    expect(await page.isVisible('#main')).toBe(false);
    expect(await page.textContent('#token-error')).toMatch(/401 unauthorized/);
    expect(await page.evaluate(() => sessionStorage.getItem('accessproof.token'))).toBeNull();
  });

  it('opens straight from a #token= link and removes the token from the address bar', async () => {
    const fresh = await context.newPage();
    await fresh.goto(`${server.url}/#token=${encodeURIComponent(token)}`);
    await waitReady(fresh);
    expect(new URL(fresh.url()).hash).toBe('');
    expect(await fresh.evaluate(() => sessionStorage.getItem('accessproof.token'))).toBe(token);
    await fresh.close();
  });

  it('the Grafana dashboards\' SQL runs on the demo store and agrees with GET /v1/metrics', async () => {
    const p = last30Days();
    const m = await api<Metrics>(`/v1/metrics?from=${p.from}&to=${encodeURIComponent(p.to)}`);
    const range = { from: new Date(`${p.from}T00:00:00Z`), to: new Date(p.to) };
    const sqlOf = new Map<string, string>();
    for (const d of loadDashboards()) {
      for (const { where, sql } of dashboardSql(d.json)) {
        const expanded = expandGrafanaSql(sql, range);
        // Every panel and variable query must run against the migrated schema.
        await expect(server.store.query(expanded), `${d.file} ${where}`).resolves.toBeDefined();
        expect(sqlOf.has(`${d.file} ${where}`), `${d.file} ${where} is not unique`).toBe(false);
        sqlOf.set(`${d.file} ${where}`, expanded);
      }
    }
    const one = async (key: string): Promise<Record<string, unknown>> => {
      const sql = sqlOf.get(key);
      expect(sql, key).toBeDefined();
      return ((await server.store.query<Record<string, unknown>>(sql as string))[0] ?? {});
    };
    expect(Number((await one('mfa-coverage.json panel "MFA coverage of privileged sessions"')).mfa_coverage_pct)).toBeCloseTo(m.mfa_coverage_pct, 1);
    expect(Number((await one('mfa-coverage.json panel "Privileged sessions"')).privileged_sessions)).toBe(m.privileged_sessions);
    expect(Number((await one('mfa-coverage.json panel "Phishing-resistant"')).phishing_resistant_pct)).toBeCloseTo(m.phishing_resistant_pct, 1);
    expect(Number((await one('mfa-coverage.json panel "Privileged sessions without MFA"')).without_mfa)).toBe(m.coverage_by_binding.none);
    expect(Number((await one('access-findings.json panel "Findings"')).findings)).toBe(m.findings.reduce((s, f) => s + f.count, 0));
    expect(Number((await one('access-findings.json panel "Revocations over SLA"')).over_sla)).toBe(m.time_to_revoke_hours.over_sla);
    const bySurface = await server.store.query<{ surface: string; privileged_sessions: string; mfa_covered_sessions: string }>(
      sqlOf.get('mfa-coverage.json panel "Coverage by surface"') as string);
    expect(bySurface.map((r) => ({ surface: r.surface, privileged_sessions: Number(r.privileged_sessions), mfa_covered_sessions: Number(r.mfa_covered_sessions) })))
      .toEqual(m.coverage_by_surface.map((s) => ({ surface: s.surface, privileged_sessions: s.privileged_sessions, mfa_covered_sessions: s.mfa_covered_sessions })));
    const daily = await server.store.query<{ failed_logins: string; mfa_failures: string }>(sqlOf.get('mfa-coverage.json panel "Failed logins and MFA failures per day"') as string);
    expect(daily.reduce((s, r) => s + Number(r.failed_logins), 0)).toBe(m.failed_logins);
    expect(daily.reduce((s, r) => s + Number(r.mfa_failures), 0)).toBe(m.mfa_failures);
  });
});
