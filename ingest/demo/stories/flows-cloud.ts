/**
 * GCP, Azure and Boundary work of the engineering teams.
 */
import { amrOf, azEmit } from '../sources/azure.ts';
import { BOUNDARY_TARGETS, boundaryAuthorize, boundaryOidcLogin, boundaryPerson, type BoundaryTarget } from '../sources/boundary.ts';
import { ENTRA_APPS, entraSignIn } from '../sources/entra-signin.ts';
import { GCP_INSTANCES, gcpIapTunnel, gcpImpersonate } from '../sources/gcp.ts';
import { OKTA_APPS } from '../sources/okta.ts';
import { pgSession } from '../sources/postgres.ts';
import { MS } from '../time-format.ts';
import { secs } from '../world.ts';
import { sso, type Day } from './flows-idp.ts';

/** The Boundary worker that proxies TCP sessions (what PostgreSQL sees as the client). */
const BOUNDARY_WORKER_IP = '10.40.4.10';

/** IAP SSH to a GCE instance, sometimes after impersonating the CI service account. */
export function gcpWork(d: Day, allowed = true): void {
  const { w, rng, p } = d;
  if (rng.chance(0.25) && (p.team === 'sre' || p.team === 'security')) {
    gcpImpersonate(w, rng, p, d.t, d.ip);
    d.t += secs(rng, 20, 120);
  }
  gcpIapTunnel(w, rng, p, d.t, d.ip, rng.pick(GCP_INSTANCES), allowed);
  d.t += secs(rng, 300, 1800);
}

/** Azure portal sign-in (Entra) and a management operation. */
export function azureWork(d: Day, o: { forbidden?: boolean } = {}): void {
  const { w, rng, p } = d;
  entraSignIn(w, rng, p, d.t, { app: ENTRA_APPS.portal, ip: d.ip, outcome: 'success' });
  d.t += secs(rng, 20, 90);
  const op = o.forbidden
    ? { path: '/resourceGroups/rg-payments-prod/providers/Microsoft.Resources/deployments/hotfix-' + rng.int(100, 999), operation: 'MICROSOFT.RESOURCES/DEPLOYMENTS/WRITE', action: 'Microsoft.Resources/deployments/write' }
    : rng.pick([
        { path: '/resourceGroups/rg-payments-prod/providers/Microsoft.Compute/virtualMachines/payments-vm-1', operation: 'MICROSOFT.COMPUTE/VIRTUALMACHINES/RESTART/ACTION', action: 'Microsoft.Compute/virtualMachines/restart/action' },
        { path: '/resourceGroups/rg-payments-prod/providers/Microsoft.Compute/virtualMachines/payments-vm-2', operation: 'MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION', action: 'Microsoft.Compute/virtualMachines/runCommand/action' },
        { path: '/resourceGroups/rg-shared/providers/Microsoft.Storage/storageAccounts/fjordlightauditlogs', operation: 'MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION', action: 'Microsoft.Storage/storageAccounts/listKeys/action' },
        { path: '/resourceGroups/rg-payments-prod/providers/Microsoft.KeyVault/vaults/kv-payments-prod/accessPolicies/add', operation: 'MICROSOFT.KEYVAULT/VAULTS/ACCESSPOLICIES/WRITE', action: 'Microsoft.KeyVault/vaults/accessPolicies/write' },
      ]);
  azEmit(w, rng, d.t, { caller: { person: p, amr: amrOf(p) }, ip: d.ip, resourcePath: op.path, operation: op.operation, action: op.action, callerRole: p.team === 'contractor' ? 'Reader' : 'Owner', outcome: o.forbidden ? 'forbidden' : 'success', withStart: !o.forbidden && op.operation.endsWith('WRITE') });
  d.t += secs(rng, 120, 900);
}

/** Boundary: OIDC login through Okta, then a TCP session to a database target (PostgreSQL sees the worker). */
export function boundaryDb(d: Day, target: BoundaryTarget, o: { denied?: boolean; dbRole?: string } = {}): { token: string; session: string } {
  const { w, rng, p } = d;
  sso(d, OKTA_APPS.boundary);
  const token = boundaryOidcLogin(w, rng, p, d.t, d.ip);
  d.t += secs(rng, 12, 40);
  const session = boundaryAuthorize(w, rng, boundaryPerson(p, token), d.t, d.ip, target, !o.denied);
  d.t += secs(rng, 2, 10);
  if (session && target === BOUNDARY_TARGETS.prod_db) {
    const end = d.t + rng.int(5, 45) * MS.minute;
    const role = o.dbRole ?? `${p.login}_ro`;
    pgSession(w, rng, {
      t: d.t, end, pid: rng.int(20_000, 64_000), host: BOUNDARY_WORKER_IP, user: role, db: 'payments', app: rng.pick(['DBeaver 24.3.3 - Main', 'psql', 'DataGrip 2024.3']),
      auth: { method: 'scram-sha-256', identity: role, hbaLine: 106 },
      statements: [{ t: d.t + rng.int(20, 200) * MS.second, cls: 'READ', command: 'SELECT', sql: rng.pick(['SELECT count(*) FROM settlements WHERE status = \'failed\'', 'SELECT merchant_id, sum(amount) FROM payouts GROUP BY 1 ORDER BY 2 DESC LIMIT 20']) }],
    });
    d.t = end + secs(rng, 30, 300);
  } else {
    d.t += rng.int(5, 40) * MS.minute;
  }
  return { token, session };
}
