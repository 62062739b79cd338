import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';
import { SCENARIO_CONFIG, writeScenario, type ScenarioFiles } from '../helpers/correlation-scenario.ts';

describe('accessproof correlate / metrics / findings / exemption / break-glass (child processes)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ap-corr-cli-'));
  const configPath = join(dir, 'accessproof.json');
  const env = { ACCESSPROOF_DATA_DIR: join(dir, 'data'), ACCESSPROOF_CONFIG: configPath };
  let files: ScenarioFiles;
  const cli = async (args: string[]): Promise<string> => {
    const r = await runCli(args, env);
    expect(r.stderr, args.join(' ')).toBe('');
    expect(r.code, args.join(' ')).toBe(0);
    return r.stdout;
  };

  beforeAll(async () => {
    writeFileSync(configPath, JSON.stringify(SCENARIO_CONFIG));
    files = writeScenario(join(dir, 'scenario'));
    for (const source of ['okta', 'teleport', 'sshd', 'postgres', 'cloudtrail', 'hr'] as const) await cli(['ingest', '--source', source, files[source]]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ingest --source hr imports offboarding rows and rejects bad lines', async () => {
    const bad = join(dir, 'bad-hr.csv');
    writeFileSync(bad, 'person,time,reason\nx@corp.example,not-a-date,\ncara@corp.example,2025-06-02T11:30:00Z,resigned\n');
    expect(JSON.parse(await cli(['ingest', '--source', 'hr', bad]))).toMatchObject({ read: 2, stored: 0, duplicates: 1, dead_lettered: 1 });
  });

  it('correlate recomputes the stale days and prints a summary; metrics --json prints the metrics JSON', async () => {
    const summary = JSON.parse(await cli(['correlate'])) as Record<string, number>;
    expect(summary.sessions).toBe(18);
    expect(summary.findings).toBe(14);
    const m = JSON.parse(await cli(['metrics', '--from', '2025-06-02', '--to', '2025-06-02', '--json'])) as Record<string, unknown>;
    expect(m).toMatchObject({
      period: { from: '2025-06-02T00:00:00.000Z', to: '2025-06-03T00:00:00.000Z' },
      privileged_sessions: 13, mfa_covered_sessions: 7, coverage_by_binding: { direct: 3, idp_bound: 4, exempt: 0, none: 6 },
      // No credential report here: as of the period end only CloudTrail shows the root account and tmpadmin.
      local_superuser_accounts: 2,
    });
    const ranged = JSON.parse(await cli(['correlate', '--from', '2025-06-02', '--to', '2025-06-02'])) as Record<string, number>;
    expect(ranged).toMatchObject({ days: 1, sessions: 18, rows_written: 0, rows_deleted: 0 });
    const text = await cli(['metrics', '--from', '2025-06-02', '--to', '2025-06-02']);
    expect(text).toMatch(/privileged sessions 13, MFA-covered 7 \(53.85%\)/);
  });

  it('activity prints the event-level figures (text and --json) and rejects a bad --limit', async () => {
    const a = JSON.parse(await cli(['activity', '--from', '2025-06-02', '--to', '2025-06-02', '--limit', '2', '--json'])) as {
      period: unknown; limit: number; top_users: { user: string }[]; method_mix: { events: number }[]; ingest_lag: { events: number };
    };
    expect(a.period).toEqual({ from: '2025-06-02T00:00:00.000Z', to: '2025-06-03T00:00:00.000Z' });
    expect(a.limit).toBe(2);
    expect(a.top_users).toHaveLength(2);
    expect(a.ingest_lag.events).toBe(a.method_mix.reduce((n, m) => n + m.events, 0));
    const text = await cli(['activity', '--from', '2025-06-02', '--to', '2025-06-02', '--limit', '2']);
    expect(text).toContain(`  ${a.top_users[0]?.user}: `);
    expect(text).toMatch(/^ingestion lag over \d+ events: p50 /m);
    const bad = await runCli(['activity', '--from', '2025-06-02', '--to', '2025-06-02', '--limit', '0'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--limit: expected a whole number from 1 to 1000/);
  });

  it('findings --json lists the findings with evidence; --kind filters', async () => {
    const all = JSON.parse(await cli(['findings', '--from', '2025-06-02', '--to', '2025-06-02', '--json'])) as { findings: { kind: string; evidence_event_ids: string[] }[] };
    expect(all.findings.length).toBe(14);
    expect(all.findings.every((f) => f.evidence_event_ids.length > 0)).toBe(true);
    const noMfa = JSON.parse(await cli(['findings', '--from', '2025-06-02', '--to', '2025-06-02', '--kind', 'no_mfa', '--json'])) as { findings: unknown[] };
    expect(noMfa.findings).toHaveLength(3);
    const bad = await runCli(['findings', '--from', '2025-06-02', '--to', '2025-06-02', '--kind', 'nope'], env);
    expect(bad.code).toBe(2);
  });

  it('exemption create / list / revoke, attributed and validated', async () => {
    const x = JSON.parse(await cli(['exemption', 'create', '--person', 'gus@corp.example', '--resource', 'legacy-prod-*', '--reason', 'legacy host',
      '--approver', 'ciso@corp.example', '--starts', '2025-06-01', '--expires', '2025-06-03', '--by', 'sec-ops'])) as { exemption_id: string; created_by: string };
    expect(x.created_by).toBe('sec-ops');
    const m = JSON.parse(await cli(['metrics', '--from', '2025-06-02', '--to', '2025-06-02', '--json'])) as { coverage_by_binding: Record<string, number> };
    expect(m.coverage_by_binding.exempt).toBe(2);
    const list = JSON.parse(await cli(['exemption', 'list', '--json'])) as { exemptions: { exemption_id: string; status: string }[] };
    expect(list.exemptions.find((e) => e.exemption_id === x.exemption_id)?.status).toBe('expired');
    const revoked = JSON.parse(await cli(['exemption', 'revoke', x.exemption_id, '--by', 'sec-lead'])) as { revoked_by: string };
    expect(revoked.revoked_by).toBe('sec-lead');
    const tooLong = await runCli(['exemption', 'create', '--person', 'a@corp.example', '--reason', 'r', '--approver', 'b', '--expires', '2099-01-01'], env);
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toMatch(/90 days/);
  });

  it('break-glass list and review', async () => {
    const uses = JSON.parse(await cli(['break-glass', 'list', '--from', '2025-06-02', '--to', '2025-06-02', '--json'])) as { uses: { session_key: string; reviewed: boolean; overdue: boolean }[] };
    expect(uses.uses).toHaveLength(1);
    expect(uses.uses[0]).toMatchObject({ reviewed: false, overdue: true });
    const review = JSON.parse(await cli(['break-glass', 'review', uses.uses[0]?.session_key ?? '', '--reviewer', 'auditor-1', '--notes', 'ok'])) as { reviewer: string };
    expect(review.reviewer).toBe('auditor-1');
    const after = JSON.parse(await cli(['break-glass', 'list', '--from', '2025-06-02', '--to', '2025-06-02', '--json'])) as typeof uses;
    expect(after.uses[0]?.reviewed).toBe(true);
  });
});
