/**
 * Break-glass incidents and root use: the shared emergency identity across every system (Okta FIDO2 and
 * admin console, Teleport local login and root sessions, bastion password + sudo, PostgreSQL peer
 * superuser, `kubernetes-admin`, AWS root with a security key, Entra/Google/GCP), plus finance's routine
 * root login for billing.
 */
import { INFRA, personOf, type Person } from '../org.ts';
import type { Rng } from '../prng.ts';
import { awsId, ctConsoleLogin, ctEmit, stsKey } from '../sources/cloudtrail.ts';
import { duoAuth, DUO_APPS } from '../sources/duo.ts';
import { ENTRA_APPS, entraSignIn } from '../sources/entra-signin.ts';
import { gcpSetIamPolicy } from '../sources/gcp.ts';
import { googlePasswordLogin } from '../sources/google.ts';
import { oktaAdminConsole, oktaSignIn } from '../sources/okta.ts';
import { pgSession } from '../sources/postgres.ts';
import { sshConn, sshLogin, sshSudo } from '../sources/sshd.ts';
import { tpLocalLogin, tpSshSession, tpUser } from '../sources/teleport.ts';
import { MS } from '../time-format.ts';
import { secs, type World } from '../world.ts';
import { clusterAdminCert } from './flows-bypass.ts';

const BG_DEVICE = { name: 'bg-yubikey-1', uuid: 'e1c4a7b2-5d8f-4e3a-9b6c-0d2f4a6c8e1b', type: 'WebAuthn' };

/** Incident with the identity provider up: Okta → Teleport root → bastion → database → cluster. */
function hostIncident(w: World, rng: Rng, bg: Person, t0: number, ticket: string): void {
  const ip = INFRA.office_ip;
  let t = t0;
  const okta = oktaSignIn(w, rng, bg, t, { ip });
  oktaAdminConsole(w, rng, bg, okta.t + secs(rng, 20, 40), okta.sessionId, ip);
  t = okta.t + secs(rng, 60, 140);
  tpLocalLogin(w, rng, 'breakglass', t, ip, bg.user_agent, BG_DEVICE);
  t += secs(rng, 30, 60);
  const end = t + rng.int(8, 25) * MS.minute;
  tpSshSession(w, rng, tpUser(bg), 'prod-db-1', 'root', t, end, ip, { mfaDevice: BG_DEVICE.uuid, reason: `BREAKGLASS ${ticket}` });
  const tb = t + secs(rng, 40, 90);
  duoAuth(w, rng, bg, tb, { app: DUO_APPS.bastion, ip, factor: 'WebAuthn Security Key', username: 'breakglass', hostname: 'bastion-1' });
  const c = sshConn(rng, 'bastion-1', ip);
  const bEnd = tb + rng.int(5, 15) * MS.minute;
  sshLogin(w, rng, c, 'breakglass', 1100, { kind: 'password' }, tb + secs(rng, 4, 10), bEnd);
  sshSudo(w, rng, 'bastion-1', 'breakglass', 1100, tb + secs(rng, 30, 90), rng.pick(['/usr/bin/systemctl restart teleport', '/usr/bin/systemctl restart pgbouncer', '/usr/sbin/iptables -L -n']));
  const tp = t + rng.int(3, 6) * MS.minute;
  pgSession(w, rng, {
    t: tp, end: tp + rng.int(3, 8) * MS.minute, pid: rng.int(20_000, 64_000), host: '[local]', user: 'postgres', db: 'postgres', app: 'psql', auth: { method: 'peer', identity: 'postgres', hbaLine: 90 },
    statements: [{ t: tp + rng.int(20, 90) * MS.second, cls: 'ROLE', command: 'ALTER ROLE', sql: rng.pick(['ALTER ROLE app_admin WITH SUPERUSER', 'ALTER ROLE payments_app PASSWORD \'********\'', 'ALTER ROLE reporting_ro NOLOGIN']) }],
  });
  clusterAdminCert(w, rng, end + secs(rng, 60, 200), ip, rng.int(2, 4), 'kubectl/v1.31.4 (darwin/arm64) kubernetes/c0e6ee2');
}

/** Incident in the clouds: AWS root with a FIDO key, Entra/Google with the break-glass keys, GCP org IAM. */
function cloudIncident(w: World, rng: Rng, bg: Person, t0: number): void {
  const ip = INFRA.office_ip;
  let t = t0;
  ctConsoleLogin(w, rng, t, { identity: awsId.root(), ip, ua: bg.user_agent, mfa: w.org.svc.breakglass_root_u2f });
  t += secs(rng, 60, 240);
  const rootSession = awsId.root(stsKey(rng));
  ctEmit(w, rng, t, { identity: rootSession, source: 'iam.amazonaws.com', name: 'UpdateAssumeRolePolicy', ip, ua: 'AWS Internal', request: { roleName: 'OktaSRE-Admin', policyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::444455556666:saml-provider/Okta"},"Action":"sts:AssumeRoleWithSAML"}]}' } });
  t += secs(rng, 60, 300);
  entraSignIn(w, rng, bg, t, { app: ENTRA_APPS.portal, ip });
  t += secs(rng, 30, 90);
  googlePasswordLogin(w, rng, bg, t, { ip });
  t += secs(rng, 60, 180);
  gcpSetIamPolicy(w, rng, bg, t, { role: 'roles/resourcemanager.organizationAdmin', member: 'user:nadia.haddad@demo.example', action: 'ADD', org: true });
}

/** Finance's monthly root login to download invoices (virtual MFA on the root account). */
function billingRootLogin(w: World, rng: Rng, day: number): void {
  const wendy = personOf(w.org, 'wendy.park');
  const t = w.dayStart(day) + 13 * MS.hour + rng.int(0, 5_400_000);
  ctConsoleLogin(w, rng, t, { identity: awsId.root(), ip: INFRA.office_ip, ua: wendy.user_agent, mfa: w.org.svc.root_mfa_serial });
  ctEmit(w, rng, t + secs(rng, 60, 300), { identity: awsId.root(stsKey(rng)), source: 'billingconsole.amazonaws.com', name: 'UpdateAccountPreferences', ip: INFRA.office_ip, ua: 'AWS Internal', region: 'us-east-1', request: { invoiceDeliveryPreference: 'PDF' } });
}

/** All break-glass incidents of the window plus the routine root login. */
export function runIncidents(w: World, rng: Rng): void {
  const bg = personOf(w.org, 'breakglass');
  w.schedule.breakglass_days.forEach((day, i) => {
    const r = rng.fork(`breakglass-${i}`);
    const night = i === 2;
    const t = w.dayStart(day) + (night ? 2 + r.next() : 10 + r.next() * 6) * MS.hour;
    const ticket = `INC-${5100 + i * 37}`;
    if (i === 0) hostIncident(w, r, bg, t, ticket);
    else if (i === 1) { cloudIncident(w, r, bg, t); hostIncident(w, r, bg, t + 25 * MS.minute, ticket); }
    else {
      // Night drill: only AWS root and Teleport, as the runbook's yearly test.
      ctConsoleLogin(w, r, t, { identity: awsId.root(), ip: INFRA.vpn_ip, ua: bg.user_agent, mfa: w.org.svc.breakglass_root_u2f });
      tpLocalLogin(w, r, 'breakglass', t + 4 * MS.minute, INFRA.vpn_ip, bg.user_agent, null);
      tpLocalLogin(w, r, 'breakglass', t + 5 * MS.minute, INFRA.vpn_ip, bg.user_agent, BG_DEVICE);
    }
  });
  billingRootLogin(w, rng.fork('billing'), Math.max(0, Math.min(w.days - 1, Math.round(w.days * 0.35))));
}
