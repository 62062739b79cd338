/**
 * Leavers. Felix (slow revocation): deactivated in Okta at 15:00, yet his Teleport certificate, Boundary
 * token, authorized_keys entry and personal AWS access key keep working for hours; cleanup happens the next
 * morning. Tariq (contractor): Boundary token and the separately managed Google account outlive the IdP by
 * days. Rosa (fast): every path closed within minutes.
 */
import { INFRA, personOf, type Person } from '../org.ts';
import { ALPHABET, type Rng } from '../prng.ts';
import { BOUNDARY_TARGETS, boundaryAuthorize, boundaryCancel, boundaryPerson, boundaryRevokeToken } from '../sources/boundary.ts';
import { awsId } from '../sources/cloudtrail.ts';
import { ctIamWrite } from '../sources/cloudtrail-calls.ts';
import { duoAuth, DUO_APPS } from '../sources/duo.ts';
import { ENTRA_APPS, entraSignIn } from '../sources/entra-signin.ts';
import { entraDisableAccount } from '../sources/entra-audit.ts';
import { googlePasswordLogin } from '../sources/google.ts';
import { oktaAdminChange, oktaSignIn } from '../sources/okta.ts';
import { sshConn, sshLogin, sshSudo } from '../sources/sshd.ts';
import { tpDenied, tpLock, tpSshSession, tpUser } from '../sources/teleport.ts';
import { MS } from '../time-format.ts';
import { secs, type World } from '../world.ts';
import { awsFederated, teleportLogin, teleportSsh } from './flows-access.ts';
import { boundaryDb } from './flows-cloud.ts';
import { googleWorkspace, microsoft365, oktaMorning, startDay, vpn } from './flows-idp.ts';
import { personalAccessKey } from './flows-bypass.ts';

/** `base` + minutes, plus up to a minute of jitter (people do not act on the second). */
function at(rng: Rng, base: number, minutes: number): number {
  return base + minutes * MS.minute + rng.int(0, 59_999);
}

function adminOkta(w: World, rng: Rng, admin: Person, t: number): string {
  return oktaSignIn(w, rng, admin, t, { ip: INFRA.office_ip }).sessionId;
}

/** Felix: last morning at work, deactivation at 15:00, credentials used until the next morning's cleanup. */
function felix(w: World, rng: Rng, day: number): void {
  const felixP = personOf(w.org, 'felix.wagner');
  const nadia = personOf(w.org, 'nadia.haddad');
  const d = startDay(w, rng, felixP, day);
  oktaMorning(d);
  vpn(d);
  microsoft365(d, 1);
  googleWorkspace(d);
  teleportLogin(d);
  teleportSsh(d, 'staging-app-1', [10, 30]);
  const b = boundaryDb(d, BOUNDARY_TARGETS.staging_db);
  const off = w.dayStart(day) + 15 * MS.hour + rng.int(0, 20) * MS.minute;
  const s = adminOkta(w, rng, nadia, off - 4 * MS.minute);
  oktaAdminChange(w, rng, nadia, off, felixP, s, { kind: 'deactivate' });
  oktaAdminChange(w, rng, nadia, off + 1200, felixP, s, { kind: 'reset_factors' });
  entraDisableAccount(w, rng, at(rng, off, 9), nadia, felixP);
  const home = felixP.home_ip;
  // 15:40 the 12 h Teleport certificate still opens a prod session.
  tpSshSession(w, rng, tpUser(felixP), 'app-2', 'ubuntu', at(rng, off, 40), at(rng, off, 58), home, { mfaDevice: felixP.mfa_device_uuid });
  // 16:05 the 7-day Boundary token still authorizes.
  const bs = boundaryAuthorize(w, rng, boundaryPerson(felixP, b.token), at(rng, off, 65), home, BOUNDARY_TARGETS.prod_ssh);
  entraSignIn(w, rng, felixP, at(rng, off, 68), { app: ENTRA_APPS.office, ip: home, outcome: 'disabled' });
  googlePasswordLogin(w, rng, felixP, at(rng, off, 70), { ip: home, outcome: 'disabled', challenge: null });
  duoAuth(w, rng, felixP, at(rng, off, 72), { app: DUO_APPS.vpn, ip: home, factor: 'not_available', result: 'denied', reason: 'user_disabled' });
  // 17:20 the personal key in authorized_keys on app-2.
  const st = at(rng, off, 140);
  sshLogin(w, rng, sshConn(rng, 'app-2', home), felixP.login, felixP.uid, { kind: 'key', keyType: felixP.ssh_key_type, fp: felixP.ssh_key_fp }, st, at(rng, st, 22));
  sshSudo(w, rng, 'app-2', felixP.login, felixP.uid, at(rng, st, 3), '/usr/bin/tar czf /tmp/export.tgz /srv/payments/config');
  // 18:45 the personal IAM access key.
  personalAccessKey(w, rng, felixP, at(rng, off, 225), home);
  // Next morning: the cleanup.
  if (day + 1 >= w.days) return;
  const next = w.dayStart(day + 1) + 9.5 * MS.hour + rng.int(0, 15) * MS.minute;
  tpLock(w, rng, nadia, next, felixP.email, `offboarded ${new Date(off).toISOString().slice(0, 10)}`);
  const admin = boundaryPerson(nadia, `at_${rng.chars(10, ALPHABET.alnum)}`);
  boundaryRevokeToken(w, rng, admin, at(rng, next, 4), b.token);
  if (bs) boundaryCancel(w, rng, admin, at(rng, next, 5), { id: bs, target: BOUNDARY_TARGETS.prod_ssh, owner: felixP.boundary_user_id });
  const nd = startDay(w, rng, nadia, day + 1);
  nd.t = at(rng, next, 12);
  const aws = awsFederated(nd, 'OktaSecurity-Admin', 0, { console: true });
  const actor = awsId.assumedRole('OktaSecurity-Admin', nadia.email, aws.akid, aws.created);
  if (felixP.iam_access_key) {
    ctIamWrite(w, rng, nd.t + MS.minute, actor, nd.ip, { name: 'UpdateAccessKey', user: felixP.key, akid: felixP.iam_access_key, status: 'Inactive' });
    ctIamWrite(w, rng, nd.t + 3 * MS.minute, actor, nd.ip, { name: 'DeleteAccessKey', user: felixP.key, akid: felixP.iam_access_key });
  }
  tpDenied(w, rng, felixP.email, 'app-2', 'ubuntu', at(rng, next, 35), home, `lock targeting User:"${felixP.email}" is in force: offboarded ${new Date(off).toISOString().slice(0, 10)}`);
}

/** Tariq: contract ends at 17:00; Boundary and Google keep working for two days. */
function tariq(w: World, rng: Rng, day: number): void {
  const p = personOf(w.org, 'tariq.aziz');
  const viktor = personOf(w.org, 'viktor.sorensen');
  const d = startDay(w, rng, p, day);
  oktaMorning(d);
  googleWorkspace(d);
  const b = boundaryDb(d, BOUNDARY_TARGETS.staging_db);
  const off = w.dayStart(day) + 17 * MS.hour + rng.int(0, 20) * MS.minute;
  const s = adminOkta(w, rng, viktor, off - 3 * MS.minute);
  oktaAdminChange(w, rng, viktor, off, p, s, { kind: 'deactivate' });
  entraDisableAccount(w, rng, at(rng, off, 2), viktor, p);
  for (let k = 1; k <= 2 && day + k < w.days; k++) {
    const t = w.dayStart(day + k) + (8 + rng.next() * 2) * MS.hour;
    boundaryAuthorize(w, rng, boundaryPerson(p, b.token), t, p.home_ip, BOUNDARY_TARGETS.staging_db);
    if (k === 1) googlePasswordLogin(w, rng, p, t + 10 * MS.minute, { ip: p.home_ip });
    else googlePasswordLogin(w, rng, p, t + 10 * MS.minute, { ip: p.home_ip, outcome: 'disabled', challenge: null });
  }
  if (day + 2 < w.days) boundaryRevokeToken(w, rng, boundaryPerson(viktor, `at_${rng.chars(10, ALPHABET.alnum)}`), w.dayStart(day + 2) + 14 * MS.hour, b.token);
}

/** Rosa: deactivated at noon with a Teleport lock three minutes later; her afternoon attempt is denied. */
function rosa(w: World, rng: Rng, day: number): void {
  const p = personOf(w.org, 'rosa.delgado');
  const nadia = personOf(w.org, 'nadia.haddad');
  const d = startDay(w, rng, p, day);
  oktaMorning(d);
  microsoft365(d, 1);
  teleportLogin(d);
  const off = w.dayStart(day) + 12 * MS.hour + rng.int(0, 20) * MS.minute;
  const s = adminOkta(w, rng, nadia, off - 5 * MS.minute);
  oktaAdminChange(w, rng, nadia, off, p, s, { kind: 'deactivate' });
  oktaAdminChange(w, rng, nadia, off + secs(rng, 1, 3), p, s, { kind: 'reset_factors' });
  entraDisableAccount(w, rng, at(rng, off, 2), nadia, p);
  tpLock(w, rng, nadia, at(rng, off, 3), p.email, `offboarded ${new Date(off).toISOString().slice(0, 10)}`);
  tpDenied(w, rng, p.email, 'staging-app-1', 'ubuntu', at(rng, off, 25), p.home_ip, `lock targeting User:"${p.email}" is in force: offboarded ${new Date(off).toISOString().slice(0, 10)}`);
  entraSignIn(w, rng, p, at(rng, off, 27), { app: ENTRA_APPS.office, ip: p.home_ip, outcome: 'disabled' });
}

/** Runs every offboarding on its scheduled day. */
export function runOffboarding(w: World, rng: Rng): void {
  const days = w.schedule.leave_day;
  const f = days.get('felix.wagner');
  if (f !== undefined) felix(w, rng.fork('felix'), f);
  const t = days.get('tariq.aziz');
  if (t !== undefined) tariq(w, rng.fork('tariq'), t);
  const r = days.get('rosa.delgado');
  if (r !== undefined) rosa(w, rng.fork('rosa'), r);
}
