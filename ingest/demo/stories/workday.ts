/**
 * Daily routines per team: working hours in the person's time zone, quieter weekends (only the on-call
 * SRE works), and the habits from the roster (direct SSH, legacy host, static credentials...).
 */
import type { Person } from '../org.ts';
import type { Rng } from '../prng.ts';
import { BOUNDARY_TARGETS } from '../sources/boundary.ts';
import { ENTRA_APPS, entraSignIn } from '../sources/entra-signin.ts';
import { googleLogout } from '../sources/google.ts';
import { OKTA_APPS, oktaLogout, oktaPolicyDeny } from '../sources/okta.ts';
import type { World } from '../world.ts';
import { awsFederated, bastionCertSsh, eksDirect, grafana, kubeCall, kubeWork, teleportDb, teleportLogin, teleportSsh } from './flows-access.ts';
import { clusterAdminCert, directKeySsh, legacyBuildSsh, opsLegacy, postgresFromBastion } from './flows-bypass.ts';
import { azureWork, boundaryDb, gcpWork } from './flows-cloud.ts';
import { googleWorkspace, microsoft365, oktaMorning, pause, rdp, sso, startDay, vpn, type Day } from './flows-idp.ts';

const PROD_HOSTS = ['app-1', 'app-2', 'app-3', 'prod-db-1', 'prod-db-2'];
const QUERIES = [
  'SELECT id, status, amount FROM settlements WHERE created_at > now() - interval \'1 day\' ORDER BY created_at DESC LIMIT 50',
  'SELECT relname, n_dead_tup FROM pg_stat_user_tables ORDER BY n_dead_tup DESC LIMIT 10',
  'SELECT pid, state, wait_event_type, query FROM pg_stat_activity WHERE datname = \'payments\'',
  'SELECT merchant_id, count(*) FROM payouts WHERE status = \'pending\' GROUP BY 1',
];

function morning(d: Day, o: { vpn: boolean }): void {
  oktaMorning(d);
  if (o.vpn) vpn(d);
  microsoft365(d, d.rng.int(1, 3));
  googleWorkspace(d);
  sso(d, OKTA_APPS.slack);
}

function dbaStatements(rng: Rng): (t: number) => { t: number; cls: 'READ' | 'WRITE' | 'DDL'; command: string; sql: string; objectType?: string; objectName?: string }[] {
  return (t0) => {
    const out = [];
    let t = t0;
    for (let i = rng.int(1, 4); i > 0; i--) {
      out.push({ t, cls: 'READ' as const, command: 'SELECT', sql: rng.pick(QUERIES) });
      t += rng.int(30, 600) * 1000;
    }
    if (rng.chance(0.3)) out.push({ t, cls: 'DDL' as const, command: 'CREATE INDEX', objectType: 'INDEX', objectName: 'public.settlements_merchant_created_idx', sql: 'CREATE INDEX CONCURRENTLY settlements_merchant_created_idx ON settlements (merchant_id, created_at)' });
    if (rng.chance(0.2)) out.push({ t: t + 60_000, cls: 'WRITE' as const, command: 'UPDATE', objectType: 'TABLE', objectName: 'public.payouts', sql: 'UPDATE payouts SET status = \'queued\' WHERE id IN (48812, 48813)' });
    return out;
  };
}

function sreDay(d: Day, light: boolean): void {
  const { rng, p } = d;
  morning(d, { vpn: true });
  teleportLogin(d);
  for (let i = light ? 1 : rng.int(1, 3); i > 0; i--) teleportSsh(d, rng.pick(PROD_HOSTS), [4, 55]);
  if (rng.chance(0.3)) bastionCertSsh(d, [3, 25]);
  if (rng.chance(light ? 0.3 : 0.55)) kubeWork(d, 'prod-eks', rng.int(2, 6), 0.25);
  if (rng.chance(0.5)) grafana(d);
  if (!light && rng.chance(0.45)) {
    const aws = awsFederated(d, p.aws_role, rng.int(2, 6), { writes: true, console: rng.chance(0.6) });
    if (rng.chance(0.35)) eksDirect(d, p.aws_role, aws.akid, rng.int(1, 4));
  }
  if (p.flags.gcp && rng.chance(0.45)) gcpWork(d);
  if (p.flags.azure && rng.chance(0.35)) azureWork(d);
  if (p.flags.direct_ssh && rng.chance(0.35)) directKeySsh(d, rng.pick(p.flags.direct_ssh), [2, 30]);
  if (p.flags.cluster_admin_cert && rng.chance(0.12)) d.t = clusterAdminCert(d.w, rng, d.t, d.ip, rng.int(1, 3), 'kubectl/v1.31.4 (darwin/arm64) kubernetes/c0e6ee2');
  if (p.flags.ops_legacy && rng.chance(0.1)) d.t = opsLegacy(d.w, rng, p, d.t, d.ip);
}

function dbaDay(d: Day): void {
  const { rng, p } = d;
  morning(d, { vpn: true });
  for (let i = rng.int(1, 3); i > 0; i--) teleportDb(d, [5, 70], dbaStatements(rng));
  if (rng.chance(0.3)) teleportSsh(d, rng.pick(['prod-db-1', 'prod-db-2']), [5, 30]);
  if (p.flags.db_direct && rng.chance(0.3)) {
    bastionCertSsh(d, [15, 40]);
    d.t -= 12 * 60_000; // the psql session runs inside the bastion session
    postgresFromBastion(d, [3, 10]);
  }
  if (p.flags.boundary && rng.chance(0.3)) boundaryDb(d, BOUNDARY_TARGETS.prod_db, { dbRole: 'dba_admin' });
  if (rng.chance(0.25)) awsFederated(d, p.aws_role, rng.int(1, 4), { writes: rng.chance(0.3) });
  if (p.flags.ops_legacy && rng.chance(0.1)) d.t = opsLegacy(d.w, rng, p, d.t, d.ip);
}

function securityDay(d: Day): void {
  const { rng, p } = d;
  morning(d, { vpn: true });
  if (rng.chance(0.5)) sso(d, OKTA_APPS.grafana);
  if (rng.chance(0.4)) awsFederated(d, p.aws_role, rng.int(1, 4), { writes: false });
  if (rng.chance(0.45)) gcpWork(d);
  if (rng.chance(0.4)) azureWork(d);
  if (rng.chance(0.2)) kubeWork(d, 'prod-eks', rng.int(1, 3), 0);
}

function devDay(d: Day): void {
  const { rng, p } = d;
  morning(d, { vpn: true });
  sso(d, OKTA_APPS.jira);
  if (rng.chance(0.75)) {
    teleportLogin(d);
    if (rng.chance(0.45)) teleportSsh(d, 'staging-app-1', [3, 40]);
    if (rng.chance(0.5)) kubeWork(d, 'staging-eks', rng.int(1, 5), 0.1);
    if (rng.chance(0.06)) kubeCall(d, 'prod-eks', { verb: 'get', resource: 'secrets', namespace: 'payments', name: 'db-creds', code: 403 }, rng.uuid());
  }
  if (rng.chance(0.25)) awsFederated(d, p.aws_role, rng.int(1, 3), { writes: false, console: rng.chance(0.5) });
  if (p.flags.boundary && rng.chance(0.35)) boundaryDb(d, rng.chance(0.8) ? BOUNDARY_TARGETS.staging_db : BOUNDARY_TARGETS.prod_db);
  if (p.flags.legacy_build && rng.chance(0.4)) legacyBuildSsh(d);
  if (p.flags.gcp && rng.chance(0.35)) gcpWork(d, rng.chance(0.85));
  if (p.flags.azure && rng.chance(0.25)) azureWork(d);
  if (p.flags.direct_ssh && rng.chance(0.3)) directKeySsh(d, rng.pick(p.flags.direct_ssh), [2, 20]);
}

function contractorDay(d: Day): void {
  const { rng, p } = d;
  if (rng.chance(0.06)) {
    // Travelling: Conditional Access blocks the untrusted location before anything else works.
    entraSignIn(d.w, rng, p, d.t, { app: ENTRA_APPS.office, ip: rng.pick(['192.0.2.181', '192.0.2.185']), outcome: 'ca_block' });
    pause(d, 20, 60);
  }
  morning(d, { vpn: true });
  if (rng.chance(0.08)) oktaPolicyDeny(d.w, rng, p, d.t, OKTA_APPS.aws, d.okta, d.ip);
  if (p.flags.boundary && rng.chance(0.45)) boundaryDb(d, rng.chance(0.9) ? BOUNDARY_TARGETS.staging_db : BOUNDARY_TARGETS.prod_db, { denied: rng.chance(0.5) });
  if (p.flags.azure && rng.chance(0.1)) azureWork(d, { forbidden: true });
  if (rng.chance(0.3)) { teleportLogin(d); teleportSsh(d, 'staging-app-1', [5, 30]); }
}

function businessDay(d: Day): void {
  const { rng, p } = d;
  morning(d, { vpn: false });
  sso(d, OKTA_APPS.salesforce);
  if (rng.chance(0.5)) rdp(d);
  if (p.flags.google_password && rng.chance(0.2)) {
    pause(d, 240, 480);
    googleLogout(d.w, rng, p, d.t, d.ip, false);
  }
}

/** One person's day (weekday routine or on-call weekend work). */
export function personDay(w: World, rng: Rng, p: Person, day: number): void {
  if (p.team === 'breakglass' || !w.isEmployed(p, day)) return;
  const weekend = w.isWeekend(day);
  const onCall = w.schedule.on_call[Math.floor(day / 7)] === p.key;
  if (weekend && !(onCall && rng.chance(0.7)) && !rng.chance(0.03)) return;
  if (!weekend && rng.chance(0.05)) return; // leave, sick day
  const d = startDay(w, rng, p, day, weekend ? rng.int(2, 6) : 0);
  const movedToSales = p.flags.role_change && day >= w.schedule.role_change_day;
  const team = movedToSales ? 'business' : p.team;
  if (weekend && team !== 'business') {
    if (p.team === 'sre') sreDay(d, true);
    else { oktaMorning(d); microsoft365(d, 0); }
  } else if (team === 'sre') sreDay(d, false);
  else if (team === 'dba') dbaDay(d);
  else if (team === 'security') securityDay(d);
  else if (team === 'dev') devDay(d);
  else if (team === 'contractor') contractorDay(d);
  else businessDay(d);
  if (d.okta && rng.chance(0.3)) {
    pause(d, 60, 300);
    oktaLogout(w, rng, p, d.t, d.okta, d.ip);
  }
}
