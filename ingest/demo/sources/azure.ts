/**
 * Azure Activity Log records in the diagnostic-settings shape (formats/azure-activity.md): role
 * assignment writes/deletes, privileged actions, deployments, denials. Writes log Start then Success.
 */
import { INFRA, type Person } from '../org.ts';
import { ALPHABET, type Rng } from '../prng.ts';
import { iso7Z } from '../time-format.ts';
import type { World } from '../world.ts';

const SUB = INFRA.azure_subscription;
const TENANT = INFRA.entra_tenant;
/** Built-in role definition ids. */
export const AZ_ROLES = {
  Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  'User Access Administrator': '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
} as const;

/** The caller: a person (user token claims) or the CI service principal. */
export type AzCaller = { person: Person; amr: string } | { sp: { appId: string; objectId: string } };

function claims(rng: Rng, c: AzCaller, t: number, ip: string): Record<string, string> {
  const iat = String(Math.floor(t / 1000) - 600);
  const common = { aud: 'https://management.core.windows.net/', iss: `https://sts.windows.net/${TENANT}/`, iat, nbf: iat, exp: String(Number(iat) + 4500) };
  if ('sp' in c) {
    return { ...common, aio: rng.chars(56, ALPHABET.alnum), appid: c.sp.appId, appidacr: '2', idp: `https://sts.windows.net/${TENANT}/`, idtyp: 'app',
      'http://schemas.microsoft.com/identity/claims/objectidentifier': c.sp.objectId, rh: `1.AQsA${rng.chars(40, ALPHABET.alnum)}`,
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier': c.sp.objectId, 'http://schemas.microsoft.com/identity/claims/tenantid': TENANT,
      uti: rng.chars(22, ALPHABET.alnum), ver: '1.0', xms_idrel: '7 18' };
  }
  const p = c.person;
  return {
    ...common, 'http://schemas.microsoft.com/claims/authnclassreference': '1', aio: rng.chars(56, ALPHABET.alnum), altsecid: '',
    'http://schemas.microsoft.com/claims/authnmethodsreferences': c.amr, appid: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c', appidacr: '0',
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname': p.family, 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname': p.given,
    groups: '1c9fd2fc-c97a-4b27-b26a-1a0b43c35e61', ipaddr: ip, name: p.display, 'http://schemas.microsoft.com/identity/claims/objectidentifier': p.entra_id,
    puid: `10032003${p.entra_id.slice(0, 8).toUpperCase()}`, rh: `1.AQsA${rng.chars(40, ALPHABET.alnum)}`, 'http://schemas.microsoft.com/identity/claims/scope': 'user_impersonation',
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier': `${p.entra_id.replace(/-/g, '')}${p.okta_id.slice(3, 14)}`, 'http://schemas.microsoft.com/identity/claims/tenantid': TENANT,
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name': p.email, 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn': p.email,
    uti: rng.chars(22, ALPHABET.alnum), ver: '1.0', xms_idrel: '1 26',
  };
}

/** The amr claim of a person's usual sign-in. */
export function amrOf(p: Person): string {
  if (p.team === 'security' || p.factor === 'security_key' || p.factor === 'platform' || p.factor === 'fastpass') return 'rsa,mfa';
  if (p.factor === 'password') return 'pwd';
  return 'pwd,mfa';
}

/** One operation. */
export interface AzOp {
  readonly caller: AzCaller;
  readonly ip: string;
  /** Path below the subscription, upper- or lower-case as the platform writes it. */
  readonly resourcePath: string;
  readonly operation: string;
  readonly action: string;
  readonly callerRole: string;
  readonly outcome: 'success' | 'forbidden';
  readonly statusCode?: string;
  readonly withStart?: boolean;
  readonly extra?: Record<string, string>;
  readonly startExtra?: Record<string, string>;
}

/** Emits the records of one operation (Start, then Success/Failure). */
export function azEmit(w: World, rng: Rng, t: number, op: AzOp): void {
  const correlationId = rng.uuid();
  const resourceId = `/SUBSCRIPTIONS/${SUB.toUpperCase()}${op.resourcePath.toUpperCase()}`;
  const scope = `/subscriptions/${SUB}${op.resourcePath.toLowerCase()}`;
  const cl = claims(rng, op.caller, t, op.ip);
  const principalId = ('sp' in op.caller ? op.caller.sp.objectId : op.caller.person.entra_id).replace(/-/g, '');
  const evidence = op.outcome === 'success' ? { evidence: {
    role: op.callerRole, roleAssignmentScope: `/subscriptions/${SUB}`, roleAssignmentId: [...principalId].reverse().join(''),
    roleDefinitionId: (AZ_ROLES[op.callerRole as keyof typeof AZ_ROLES] ?? AZ_ROLES.Contributor).replace(/-/g, ''), principalId, principalType: 'sp' in op.caller ? 'ServicePrincipal' : 'User',
  } } : {};
  const record = (rt: number, resultType: string, signature: string, statusCode: string, props: Record<string, string>): Record<string, unknown> => ({
    time: iso7Z(rt, rng.int(0, 9999) * 100), resourceId, operationName: op.operation, category: 'Administrative', resultType, resultSignature: signature,
    durationMs: resultType === 'Start' ? '0' : String(rng.int(180, 900)), callerIpAddress: op.ip, correlationId,
    identity: { authorization: { scope, action: op.action, ...evidence }, claims: cl },
    level: resultType === 'Failure' ? 'Error' : 'Information', location: 'global',
    properties: { statusCode, serviceRequestId: resultType === 'Start' ? null : rng.uuid(), eventCategory: 'Administrative', entity: resourceId, message: op.operation, hierarchy: `${TENANT}/${SUB}`, ...props },
  });
  if (op.withStart) w.emit('azure', t, record(t, 'Start', 'Started.', '', op.startExtra ?? {}));
  const end = t + rng.int(300, 1800);
  if (op.outcome === 'forbidden') {
    const who = 'sp' in op.caller ? op.caller.sp.appId : op.caller.person.email;
    const objectId = 'sp' in op.caller ? op.caller.sp.objectId : op.caller.person.entra_id;
    w.emit('azure', end, record(end, 'Failure', 'Failed.Forbidden', 'Forbidden', {
      statusMessage: JSON.stringify({ error: { code: 'AuthorizationFailed', message: `The client '${who}' with object id '${objectId}' does not have authorization to perform action '${op.action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.` } }),
    }));
    return;
  }
  w.emit('azure', end, record(end, 'Success', `Succeeded.${op.statusCode ?? 'OK'}`, op.statusCode ?? 'OK', op.extra ?? {}));
}

/** Role assignment create/delete for a person at subscription or resource-group scope. */
export function azRoleAssignment(w: World, rng: Rng, admin: Person, t: number, target: Person, role: keyof typeof AZ_ROLES, add: boolean, rg?: string): void {
  const assignment = rng.uuid();
  const scopePath = rg ? `/resourceGroups/${rg}` : '';
  const defId = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${AZ_ROLES[role]}`;
  const body = JSON.stringify({ properties: { roleDefinitionId: defId, principalId: target.entra_id, principalType: 'User', scope: `/subscriptions/${SUB}${scopePath}` }, id: `/subscriptions/${SUB}${scopePath}/providers/Microsoft.Authorization/roleAssignments/${assignment}`, type: 'Microsoft.Authorization/roleAssignments', name: assignment });
  azEmit(w, rng, t, {
    caller: { person: admin, amr: amrOf(admin) }, ip: INFRA.office_ip, resourcePath: `${scopePath}/providers/Microsoft.Authorization/roleAssignments/${assignment}`,
    operation: `MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/${add ? 'WRITE' : 'DELETE'}`, action: `Microsoft.Authorization/roleAssignments/${add ? 'write' : 'delete'}`,
    callerRole: 'Owner', outcome: 'success', statusCode: add ? 'Created' : 'OK', withStart: true, extra: { responseBody: body },
    startExtra: add ? { requestbody: JSON.stringify({ Id: assignment, Properties: { PrincipalId: target.entra_id, PrincipalType: 'User', RoleDefinitionId: defId, Scope: `/subscriptions/${SUB}${scopePath}` } }) } : {},
  });
}
