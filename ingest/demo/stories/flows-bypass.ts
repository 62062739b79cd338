/**
 * Access paths that go around the gateway or the IdP: plain SSH keys in authorized_keys, the legacy build
 * host's passwords, the static `kubernetes-admin` certificate, `postgres` superuser from the bastion, the
 * shared IAM user `ops-legacy`, and a personal IAM user's long-lived access key.
 */
import { INFRA, type Person } from '../org.ts';
import { AWS_UA, awsId, ctConsoleLogin, ctEmit, stsKey } from '../sources/cloudtrail.ts';
import { ctGetFederationToken, ctGetSessionToken } from '../sources/cloudtrail-calls.ts';
import { k8sRequest } from '../sources/k8s.ts';
import { pgSession } from '../sources/postgres.ts';
import { sshConn, sshFailedPassword, sshLogin, sshSudo } from '../sources/sshd.ts';
import { MS } from '../time-format.ts';
import { secs, type World } from '../world.ts';
import type { Day } from './flows-idp.ts';
import { ALPHABET, type Rng } from '../prng.ts';

/** SSH straight to an app host with the personal key (no gateway, no MFA). */
export function directKeySsh(d: Day, host: string, minutes: [number, number]): void {
  const { w, rng, p } = d;
  const end = d.t + Math.floor((minutes[0] + rng.next() * (minutes[1] - minutes[0])) * MS.minute);
  sshLogin(w, rng, sshConn(rng, host, d.ip), p.login, p.uid, { kind: 'key', keyType: p.ssh_key_type, fp: p.ssh_key_fp }, d.t, end);
  if (rng.chance(0.3)) sshSudo(w, rng, host, p.login, p.uid, d.t + rng.int(1, 5) * MS.minute, rng.pick(['/usr/bin/systemctl restart payments-api', '/usr/bin/journalctl -u payments-api -n 200', '/usr/bin/docker ps']));
  d.t = end + secs(rng, 60, 600);
}

/** The legacy build host: password only, or password plus TOTP through PAM. */
export function legacyBuildSsh(d: Day): void {
  const { w, rng, p } = d;
  const c = sshConn(rng, 'legacy-build-1', d.ip);
  const end = d.t + rng.int(5, 50) * MS.minute;
  if (p.flags.legacy_build === 'totp') {
    sshLogin(w, rng, c, p.login, p.uid, { kind: 'totp', failFirst: rng.chance(0.15) }, d.t, end);
  } else {
    if (rng.chance(0.12)) { sshFailedPassword(w, rng, c, p.login, d.t); d.t += rng.int(4000, 12_000); }
    sshLogin(w, rng, c, p.login, p.uid, { kind: 'password' }, d.t, end);
  }
  d.t = end + secs(rng, 60, 600);
}

/** kubectl with the static `kubernetes-admin` client certificate (system:masters, bypasses RBAC). */
export function clusterAdminCert(w: World, rng: Rng, t: number, ip: string, calls: number, ua: string): number {
  let at = t;
  for (let i = 0; i < calls; i++) {
    const pick = rng.pick<{ verb: string; uri: string; ref: Record<string, string> }>([
      { verb: 'get', uri: '/api/v1/namespaces/kube-system/configmaps/aws-auth', ref: { resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth', apiVersion: 'v1' } },
      { verb: 'list', uri: '/api/v1/namespaces/payments/secrets?limit=500', ref: { resource: 'secrets', namespace: 'payments', apiVersion: 'v1' } },
      { verb: 'delete', uri: '/api/v1/namespaces/payments/pods/payments-api-7f9c6d-x2kqp', ref: { resource: 'pods', namespace: 'payments', name: 'payments-api-7f9c6d-x2kqp', apiVersion: 'v1' } },
      { verb: 'list', uri: '/api/v1/nodes?limit=500', ref: { resource: 'nodes', apiVersion: 'v1' } },
    ]);
    k8sRequest(w, rng, { cluster: 'prod-eks', t: at, user: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] }, ip, ua, verb: pick.verb, uri: pick.uri, objectRef: pick.ref, code: 200, reason: '' });
    at += secs(rng, 10, 200);
  }
  return at;
}

/** `psql -U postgres` from the bastion: superuser with a password, outside Teleport. */
export function postgresFromBastion(d: Day, minutes: [number, number]): void {
  const { w, rng } = d;
  const start = d.t;
  const end = start + Math.floor((minutes[0] + rng.next() * (minutes[1] - minutes[0])) * MS.minute);
  const q = (n: number, cls: 'READ' | 'WRITE' | 'ROLE' | 'DDL', command: string, sql: string, obj?: [string, string]) => ({ t: start + n * MS.minute + rng.int(0, 50_000), cls, command, sql, ...(obj ? { objectType: obj[0], objectName: obj[1] } : {}) });
  const stmts = [
    q(1, 'READ', 'SELECT', 'SELECT pid, usename, state, query_start FROM pg_stat_activity WHERE state <> \'idle\''),
    ...(rng.chance(0.5) ? [q(3, 'WRITE', 'UPDATE', 'UPDATE settlements SET status = \'retry\' WHERE id = 88412', ['TABLE', 'public.settlements'])] : []),
    ...(rng.chance(0.25) ? [q(4, 'ROLE', 'ALTER ROLE', 'ALTER ROLE reporting_ro CONNECTION LIMIT 20')] : []),
  ];
  pgSession(w, rng, { t: start, end, pid: rng.int(20_000, 64_000), host: INFRA.bastion_ip, user: 'postgres', db: 'payments', app: 'psql', auth: { method: 'scram-sha-256', identity: 'postgres', hbaLine: 104 }, statements: stmts.filter((s) => s.t < end) });
  d.t = end + secs(rng, 30, 300);
}

/** The shared IAM user `ops-legacy`: console password without MFA, then API calls with its access key. */
export function opsLegacy(w: World, rng: Rng, p: Person, t0: number, ip: string): number {
  const s = w.org.svc;
  let t = t0;
  ctConsoleLogin(w, rng, t, { identity: awsId.iamUser('ops-legacy', s.ops_legacy_principal), ip, ua: p.user_agent });
  t += secs(rng, 30, 240);
  const consoleId = awsId.iamUser('ops-legacy', s.ops_legacy_principal, stsKey(rng), { created: t0, mfa: false });
  ctEmit(w, rng, t, { identity: consoleId, source: 'ec2.amazonaws.com', name: rng.pick(['RebootInstances', 'ModifyInstanceAttribute', 'StopInstances']), ip, ua: AWS_UA.console, request: { instancesSet: { items: [{ instanceId: 'i-0c4d5e6f7a8b9c0d1' }] } } });
  t += secs(rng, 60, 600);
  if (rng.chance(0.4)) {
    const fed = ctGetFederationToken(w, rng, t, { name: 'ops-legacy', principal: s.ops_legacy_principal, akid: s.ops_legacy_key }, 'vendor-temp', ip);
    t += secs(rng, 120, 900);
    ctEmit(w, rng, t, { identity: awsId.federated('vendor-temp', { name: 'ops-legacy', principal: s.ops_legacy_principal }, fed, t0), source: 's3.amazonaws.com', name: 'PutBucketPolicy', ip: INFRA.attacker_ips[2], ua: '[aws-sdk-go-v2/1.32.7 os/linux lang/go#1.23.4 md/GOOS#linux md/GOARCH#amd64 api/s3#1.71.1]', request: { bucketName: 'fjordlight-prod-exports', Host: 'fjordlight-prod-exports.s3.eu-central-1.amazonaws.com', policy: '' } });
  }
  return t;
}

/** A personal IAM user's long-lived key: `GetSessionToken` without MFA and an SSM session. */
export function personalAccessKey(w: World, rng: Rng, p: Person, t0: number, ip: string): number {
  if (!p.iam_access_key || !p.iam_principal_id) return t0;
  const name = p.key;
  const session = ctGetSessionToken(w, rng, t0, { name, principal: p.iam_principal_id, akid: p.iam_access_key }, ip, AWS_UA.cli('sts.get-session-token'));
  const t = t0 + secs(rng, 20, 120);
  ctEmit(w, rng, t, { identity: awsId.iamUser(name, p.iam_principal_id, session, { created: t0, mfa: false }), source: 'ssm.amazonaws.com', name: 'StartSession', ip, ua: AWS_UA.cli('ssm.start-session'), request: { target: 'i-0a1b2c3d4e5f60718' }, response: { sessionId: `${name}-${rng.chars(17, ALPHABET.hex)}`, streamUrl: 'wss://ssmmessages.eu-central-1.amazonaws.com/v1/data-channel/', tokenValue: 'Value hidden due to security reasons.' } });
  return t + secs(rng, 60, 900);
}
