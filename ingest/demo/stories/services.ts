/**
 * Service identities: the CI deployer (Teleport bot, IAM user key, Kubernetes service account, GCP key,
 * Entra service principal, Boundary password account, PostgreSQL role, deploy key), nightly backups,
 * monitoring, the reporting IAM user, and platform noise that accessproof drops.
 */
import { INFRA } from '../org.ts';
import { ALPHABET, type Rng } from '../prng.ts';
import { azEmit } from '../sources/azure.ts';
import { BOUNDARY_TARGETS, boundaryAuthorize, boundaryPasswordLogin } from '../sources/boundary.ts';
import { awsId, ctEmit, AWS_UA } from '../sources/cloudtrail.ts';
import { ctCiAssumeRole, ctServiceAssumeRole } from '../sources/cloudtrail-calls.ts';
import { duoAuth, DUO_APPS } from '../sources/duo.ts';
import { entraServicePrincipalSignIn } from '../sources/entra-signin.ts';
import { GCP_INSTANCES, gcpCiKeyUse, gcpSystemEvent } from '../sources/gcp.ts';
import { k8sControlPlaneNoise, k8sRequest } from '../sources/k8s.ts';
import { pgSession } from '../sources/postgres.ts';
import { sshConn, sshLogin } from '../sources/sshd.ts';
import { tpBotExec, tpBotJoin } from '../sources/teleport.ts';
import { MS } from '../time-format.ts';
import { between, secs, type World } from '../world.ts';

const GH_ACTORS = ['ben-fjl', 'chloe-fjl', 'kavya-fjl', 'hugo-fjl', 'farid-fjl', 'leo-fjl'];

/** One CI deployment run touching every system the pipeline uses. */
function deploy(w: World, rng: Rng, t0: number): void {
  const s = w.org.svc;
  const runId = `13${rng.chars(9, ALPHABET.digits)}`;
  let t = t0;
  tpBotJoin(w, rng, t, runId, rng.pick(GH_ACTORS));
  t += secs(rng, 3, 9);
  for (const host of rng.chance(0.5) ? ['app-1', 'app-2', 'app-3'] : ['app-1']) {
    tpBotExec(w, rng, t, host, s.ci_bot_instance, 'sudo systemctl restart payments-api');
    t += secs(rng, 4, 20);
  }
  const akid = ctCiAssumeRole(w, rng, t, runId);
  t += secs(rng, 2, 8);
  ctEmit(w, rng, t, { identity: awsId.assumedRole('ci-deploy', `gha-${runId}`, akid, t - 3000), source: 'ecs.amazonaws.com', name: 'UpdateService', ip: INFRA.ci_runner_ip, ua: AWS_UA.cli('ecs.update-service', 'linux#6.8.0-1021-aws'), request: { cluster: 'payments-prod', service: 'payments-api', taskDefinition: `payments-api:${rng.int(400, 520)}` } });
  t += secs(rng, 5, 30);
  k8sRequest(w, rng, {
    cluster: 'prod-eks', t, user: { username: 'system:serviceaccount:ci:ci-deployer', uid: 'b4f1e2d3-c5a6-4b7c-8d9e-0f1a2b3c4d5e', groups: ['system:serviceaccounts', 'system:serviceaccounts:ci', 'system:authenticated'], extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${rng.uuid()}`] } },
    ip: INFRA.ci_runner_ip, ua: 'kubectl/v1.31.4 (linux/amd64) kubernetes/c0e6ee2', verb: 'patch', uri: '/apis/apps/v1/namespaces/payments/deployments/payments-api?fieldManager=kubectl-set',
    objectRef: { resource: 'deployments', namespace: 'payments', name: 'payments-api', apiGroup: 'apps', apiVersion: 'v1' }, code: 200,
    reason: 'RBAC: allowed by RoleBinding "ci-deployer/payments" of Role "deployer" to ServiceAccount "ci-deployer/ci"',
  });
  t += secs(rng, 5, 30);
  if (rng.chance(0.3)) {
    const c = sshConn(rng, rng.pick(['app-1', 'app-2']), INFRA.ci_runner_ip);
    sshLogin(w, rng, c, 'deploy', 998, { kind: 'key', keyType: 'ED25519', fp: s.deploy_key_fp }, t, t + secs(rng, 5, 40));
    t += secs(rng, 30, 60);
  }
  if (rng.chance(0.15)) {
    const token = boundaryPasswordLogin(w, rng, t, INFRA.ci_runner_ip, 'ci-deployer');
    boundaryAuthorize(w, rng, { user_id: s.ci_boundary_user, account_id: s.ci_boundary_account, token_id: token, grants: [{ grant: `ids=${BOUNDARY_TARGETS.prod_db.id};actions=authorize-session`, scope_id: 'p_FjProd0001', role_id: 'r_FjCiDeploy' }] }, t + 1500, INFRA.ci_runner_ip, BOUNDARY_TARGETS.prod_db);
    const start = t + 3000;
    pgSession(w, rng, { t: start, end: start + rng.int(800, 9000), pid: rng.int(20_000, 64_000), host: '10.40.4.10', user: 'ci_deployer', db: 'payments', app: 'migrate', auth: { method: 'scram-sha-256', identity: 'ci_deployer', hbaLine: 104 },
      statements: [{ t: start + 500, cls: 'DDL', command: 'ALTER TABLE', objectType: 'TABLE', objectName: 'public.settlements', sql: `ALTER TABLE settlements ADD COLUMN IF NOT EXISTS note_${rng.int(10, 99)} text` }] });
    t += secs(rng, 15, 40);
  }
  if (rng.chance(0.3)) { gcpCiKeyUse(w, rng, t, rng.pick(GCP_INSTANCES)); t += secs(rng, 5, 20); }
  if (rng.chance(0.3)) {
    entraServicePrincipalSignIn(w, rng, t, { name: 'ci-deployer', appId: s.ci_sp_app_id, objectId: s.ci_sp_object_id, keyId: 'a71c0e2f-93b4-4d5a-8e6f-7a8b9c0d1e2f', thumbprint: '5C1A3B2D4E6F708192A3B4C5D6E7F8091A2B3C4D' }, INFRA.ci_runner_ip);
    azEmit(w, rng, t + 4000, { caller: { sp: { appId: s.ci_sp_app_id, objectId: s.ci_sp_object_id } }, ip: '20.79.10.44', resourcePath: `/resourceGroups/rg-payments-prod/providers/Microsoft.Resources/deployments/payments-api-${runId}`, operation: 'MICROSOFT.RESOURCES/DEPLOYMENTS/WRITE', action: 'Microsoft.Resources/deployments/write', callerRole: 'Contributor', outcome: 'success', statusCode: 'Created', withStart: true });
  }
  if (rng.chance(0.03)) duoAuth(w, rng, { name: 'ci-deployer', duo_key: 'DUFJCIDEPLOYER0SVC01' }, t, { app: DUO_APPS.bastion, ip: INFRA.ci_runner_ip, factor: 'not_available', reason: 'allow_unenrolled_user', hostname: 'bastion-1' });
}

/** Nightly backup: key login on the database host and a pg_dump-style connection. */
function backup(w: World, rng: Rng, day: number): void {
  const t = w.dayStart(day) + 2 * MS.hour + rng.int(300_000, 1_200_000);
  const end = t + rng.int(12, 35) * MS.minute;
  sshLogin(w, rng, sshConn(rng, 'prod-db-1', INFRA.backup_ip), 'backup', 997, { kind: 'key', keyType: 'ED25519', fp: w.org.svc.backup_key_fp }, t, end);
  pgSession(w, rng, { t: t + 40_000, end: end - 30_000, pid: rng.int(20_000, 64_000), host: INFRA.backup_ip, user: 'backup_agent', db: 'payments', app: 'pg_dump', auth: { method: 'scram-sha-256', identity: 'backup_agent', hbaLine: 105 },
    statements: [{ t: t + 60_000, cls: 'READ', command: 'COPY', objectType: 'TABLE', objectName: 'public.settlements', sql: 'COPY public.settlements (id, merchant_id, amount, status, created_at) TO stdout;' }] });
}

/** Everything non-human, every day of the window. */
export function runServices(w: World, rng: Rng): void {
  const s = w.org.svc;
  for (let day = 0; day < w.days; day++) {
    const r = rng.fork(`day-${day}`);
    const base = w.dayStart(day);
    const deploys = w.isWeekend(day) ? r.int(0, 1) : r.int(3, 8);
    for (let i = 0; i < deploys; i++) deploy(w, r, between(r, base + 8 * MS.hour, base + 18 * MS.hour));
    backup(w, r, day);
    for (let h = 1; h < 24; h += 4) {
      const t = base + h * MS.hour + r.int(0, 3_000_000);
      pgSession(w, r, { t, end: t + r.int(200, 900), pid: r.int(20_000, 64_000), host: INFRA.monitoring_ip, user: 'grafana_ro', db: 'payments', app: 'grafana', auth: { method: 'scram-sha-256', identity: 'grafana_ro', hbaLine: 107 }, statements: [] });
    }
    const rep = base + 6 * MS.hour + r.int(0, 1_800_000);
    ctEmit(w, r, rep, { identity: awsId.iamUser('svc-reporting', s.reporting_principal, s.reporting_key), source: 'athena.amazonaws.com', name: 'StartQueryExecution', ip: '192.0.2.250', ua: 'Boto3/1.35.90 md/Botocore#1.35.90 ua/2.0 os/linux#5.15.0 md/arch#x86_64 lang/python#3.11.9 Botocore/1.35.90', request: { queryString: 'SELECT merchant_id, sum(amount) FROM settlements_daily GROUP BY 1', workGroup: 'reporting' } });
    for (let i = r.int(3, 6); i > 0; i--) k8sControlPlaneNoise(w, r, r.chance(0.7) ? 'prod-eks' : 'staging-eks', between(r, base, base + MS.day));
    for (let i = r.int(2, 5); i > 0; i--) ctServiceAssumeRole(w, r, between(r, base, base + MS.day));
    if (r.chance(0.4)) gcpSystemEvent(w, r, between(r, base, base + MS.day), r.pick(GCP_INSTANCES));
  }
}
