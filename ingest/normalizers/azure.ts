/**
 * Azure Activity Log normalizer: diagnostic-settings records (Event Hub `{"records":[…]}` batches, Storage
 * JSON lines) and the REST `eventtypes/management/values` shape (own mapping in azure/shapes.ts).
 *
 * Mapping decisions (see ../../../shared/formats/azure-activity.md):
 * - Actor: upn claim (lower-case) → human; no upn → service principal / managed identity by appid.
 * - MFA from the coarse `amr` claim: contains `mfa` → method unknown, evidence performed (the token was
 *   issued after MFA; join claims.uti = session_id to the Entra sign-in for the method); only `pwd` → none;
 *   `fed` → external_idp. Never phishing-resistant from amr alone. Service principals → none.
 * - ROLEASSIGNMENTS/WRITE → privilege_change, /DELETE → access_revoked; target_user = the assignee's
 *   object id (the Activity Log does not carry its upn), details.role = built-in role name.
 * - Start/Accept records are dropped (`operation_in_progress`): only the final record of an operation
 *   counts. Forbidden / AuthorizationFailed → denied; other failures → failure.
 * - Non-access categories (ServiceHealth, ResourceHealth, Alert, Autoscale, Recommendation) are dropped;
 *   `/READ` operations are dropped unless policy.store_read_only_cloud_calls.
 * - Time must be ISO 8601 with a zone; locale dates (`11/03/2025 11:03:30`) are rejected.
 * - Event id: REST eventDataId; else correlationId|operation|result|time (the diagnostic shape has no id);
 *   else the raw SHA-256.
 *
 * details keys: subscription_id, correlation_id, category, caller_role (the RBAC role that allowed the
 * call), object_id, app_id, tenant_id, managed_identity, status, role, role_definition_id,
 * privileged_role, target_principal_type, scope, role_assignment_id, shape (diagnostic|rest).
 */
import type { AuthEvent, ResourceType } from '../../schema/auth-event.ts';
import { buildEvent, getPath, isObject, isPrivilegedResource, str, toIsoMs, type EventFields } from './common.ts';
import { claim, resolveAzureActor } from './azure/claims.ts';
import { assignmentOf, PRIVILEGED_AZURE_ROLES, roleName } from './azure/roles.ts';
import { fromDiagnostic, fromRest, isRestShape, type ActivityFacts } from './azure/shapes.ts';
import type { NormalizeContext, Normalizer } from './normalizer.ts';
import { drop, ok, reject, type StepResult } from './step-result.ts';

/** RBAC roles of the caller that make any of its writes privileged. */
const ADMIN_CALLER_ROLES = new Set(['Owner', 'User Access Administrator']);
const NON_ACCESS_CATEGORIES = new Set(['servicehealth', 'resourcehealth', 'alert', 'autoscale', 'recommendation']);
/** Operations that hand out keys, run code on machines or open network access (format doc). */
const PRIVILEGED_OPERATIONS = [
  /\/LISTKEYS\/ACTION$/, /\/RUNCOMMAND\/ACTION$/, /\/EXTENSIONS\/WRITE$/, /^MICROSOFT\.KEYVAULT\/VAULTS\/ACCESSPOLICIES\/WRITE$/,
  /^MICROSOFT\.SECURITY\/LOCATIONS\/JITNETWORKACCESSPOLICIES\/INITIATE\/ACTION$/, /^MICROSOFT\.AUTHORIZATION\//,
  /^MICROSOFT\.NETWORK\/BASTIONHOSTS\//, /SERIALCONSOLE/,
];

function resourceTypeOf(resource: string): ResourceType {
  const r = resource.toUpperCase();
  if (r.includes('/MICROSOFT.COMPUTE/VIRTUALMACHINES/')) return 'server';
  if (r.includes('/MICROSOFT.CONTAINERSERVICE/')) return 'kubernetes';
  if (/\/MICROSOFT\.(SQL|DBFORPOSTGRESQL|DBFORMYSQL|DOCUMENTDB)\//.test(r)) return 'database';
  return 'cloud_api';
}

function mfaFields(f: ActivityFacts, human: boolean): Pick<EventFields, 'mfa_method' | 'mfa_method_raw' | 'mfa_evidence' | 'mfa_verified'> {
  const raw = claim(f.claims, 'amr');
  const amr = raw.toLowerCase().split(',').map((x) => x.trim()).filter((x) => x);
  if (!human) return { mfa_method: 'none', mfa_method_raw: raw, mfa_evidence: 'not_performed', mfa_verified: false };
  if (amr.includes('mfa')) return { mfa_method: 'unknown', mfa_method_raw: raw, mfa_evidence: 'performed', mfa_verified: f.phase === 'success' };
  if (amr.includes('fed')) return { mfa_method: 'unknown', mfa_method_raw: raw, mfa_evidence: 'external_idp', mfa_verified: false };
  if (amr.length > 0 && amr.every((a) => a === 'pwd' || a === 'wia')) return { mfa_method: 'none', mfa_method_raw: raw, mfa_evidence: 'not_performed', mfa_verified: false };
  return { mfa_method: 'unknown', mfa_method_raw: raw, mfa_evidence: 'unknown', mfa_verified: false };
}

function sourceEventId(f: ActivityFacts, ctx: NormalizeContext): string {
  if (f.event_data_id) return f.event_data_id;
  if (f.correlation_id) return [f.correlation_id, f.operation, f.result_raw, str(f.time_raw)].join('|');
  return ctx.raw_sha256;
}

/** Role assignment facts → details; returns the assignee's object id (the target). */
function assignmentDetails(f: ActivityFacts, resource: string, put: (k: string, v: string) => void): string {
  const a = assignmentOf(f.properties);
  put('role_assignment_id', resource.split('/roleassignments/')[1] ?? '');
  if (a === null) return '';
  const role = roleName(a.role_definition_id);
  put('role_definition_id', a.role_definition_id);
  put('role', role || (a.role_definition_id.split('/').pop() ?? ''));
  put('privileged_role', String(PRIVILEGED_AZURE_ROLES.has(role)));
  put('target_principal_type', a.principal_type);
  put('scope', a.scope);
  return a.principal_id.toLowerCase();
}

/** Validations and drops before mapping; the event time when the record is a usable final operation record. */
function screen(f: ActivityFacts, ctx: NormalizeContext): StepResult<AuthEvent[]> | string {
  if (f.operation === '') return reject('missing_field', 'operationName');
  if (f.time_raw === undefined || f.time_raw === null) return reject('missing_field', f.shape === 'rest' ? 'eventTimestamp' : 'time');
  const time = typeof f.time_raw === 'string' ? toIsoMs(f.time_raw) : null;
  if (time === null) return reject('invalid_time', `time ${JSON.stringify(f.time_raw).slice(0, 80)}`);
  if (f.identity_error) return reject('invalid_field', f.identity_error);
  if (NON_ACCESS_CATEGORIES.has(f.category.toLowerCase())) return drop('non_access_category');
  if (f.phase === 'in_progress') return drop('operation_in_progress');
  if (f.operation.endsWith('/READ') && f.phase === 'success' && !ctx.policy.store_read_only_cloud_calls) return drop('read_only_api_call');
  return time;
}

function mapFacts(f: ActivityFacts, ctx: NormalizeContext): StepResult<AuthEvent[]> {
  const time = screen(f, ctx);
  if (typeof time !== 'string') return time;
  const actor = resolveAzureActor(f.claims, f.caller);
  if (actor === null) return reject('missing_actor', 'no caller, upn or appid in the record');
  const details: Record<string, string> = {};
  const put = (k: string, v: string): void => {
    if (v !== '') details[k] = v;
  };
  const resource = (f.resource_id || str(f.authorization.scope)).toLowerCase();
  const callerRole = str(getPath(f.authorization, ['evidence', 'role'])) || str(f.authorization.role);
  put('shape', f.shape);
  put('subscription_id', /\/subscriptions\/([^/]+)/i.exec(resource)?.[1] ?? '');
  put('correlation_id', f.correlation_id);
  put('category', f.category);
  put('caller_role', callerRole);
  put('object_id', actor.object_id);
  put('app_id', actor.app_id);
  put('tenant_id', claim(f.claims, 'tid'));
  put('managed_identity', actor.managed_identity);
  put('status', [f.result_raw, f.status_detail].filter((x) => x).join(' '));
  const isAssignment = /^MICROSOFT\.AUTHORIZATION\/ROLEASSIGNMENTS\/(WRITE|DELETE)$/.test(f.operation);
  const elevate = f.operation === 'MICROSOFT.AUTHORIZATION/ELEVATEACCESS/ACTION';
  const target = isAssignment ? assignmentDetails(f, resource, put) : elevate ? actor.user : '';
  const action = isAssignment && f.operation.endsWith('/DELETE') ? 'access_revoked' : isAssignment || elevate ? 'privilege_change' : 'api_call';
  const outcome = f.phase === 'success' ? 'success' : f.phase === 'denied' ? 'denied' : 'failure';
  return ok([buildEvent('azure', sourceEventId(f, ctx), {
    event_type: f.operation,
    event_time: time,
    action,
    user: actor.user,
    user_raw: actor.user_raw,
    user_type: actor.user_type,
    target_user: target,
    resource,
    resource_type: resourceTypeOf(resource),
    privileged: PRIVILEGED_OPERATIONS.some((re) => re.test(f.operation)) || ADMIN_CALLER_ROLES.has(callerRole)
      || isPrivilegedResource(resource, ctx.policy),
    auth_method: actor.auth_method,
    ...mfaFields(f, actor.user_type === 'human'),
    outcome,
    reason: outcome === 'success' ? '' : f.status_detail || f.result_raw,
    session_id: claim(f.claims, 'uti'),
    src_ip: f.ip,
    details,
  }, ctx)]);
}

/** Event Hub batches `{"records":[…]}` and REST pages `{"value":[…]}` → records. */
function unwrapAzure(doc: unknown): StepResult<unknown[]> {
  if (!isObject(doc)) return ok([doc]);
  const list = Array.isArray(doc.records) ? doc.records : Array.isArray(doc.value) ? doc.value : undefined;
  if (list === undefined) return ok([doc]);
  return list.length > 0 ? ok(list) : drop('empty_batch');
}

/** Activity Log records (diagnostic or REST shape) → AuthEvents; see the module comment. */
export const azureNormalizer: Normalizer = {
  source: 'azure',
  format: 'json',
  unwrap: unwrapAzure,
  partitionKey(record: unknown): string {
    if (!isObject(record)) return '';
    const claims = isRestShape(record) ? record.claims : getPath(record, ['identity', 'claims']);
    return resolveAzureActor(isObject(claims) ? claims : {}, str(record.caller))?.user ?? '';
  },
  normalize(record: unknown, ctx: NormalizeContext): StepResult<AuthEvent[]> {
    if (!isObject(record)) return reject('unsupported_shape', 'Activity Log record is not a JSON object');
    return mapFacts(isRestShape(record) ? fromRest(record) : fromDiagnostic(record), ctx);
  },
};
