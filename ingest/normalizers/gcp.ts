/**
 * GCP Cloud Audit Logs normalizer (Log Router sink to Pub/Sub or Cloud Storage, entries.list pages).
 *
 * Mapping decisions (see ../../../shared/formats/gcp-audit.md):
 * - Actor = authenticationInfo.principalEmail (principalSubject when no email). When the
 *   serviceAccountDelegationInfo chain starts with a person, the person is the actor and the service account
 *   is details.impersonated_user (reason `via <sa>`); user_raw keeps principalEmail.
 * - An entry with an empty authenticationInfo (redacted or absent caller) is rejected as `missing_actor`:
 *   it cannot be tied to anyone, and emitting it under an empty user would collide on insertId with the
 *   unredacted copy of the same entry. The raw entry stays in dead_letters.
 * - SetIamPolicy (any service): one event per bindingDelta; ADD → privilege_change, REMOVE → access_revoked,
 *   target_user = member without its `user:` / `serviceAccount:` prefix. IAM writes are privileged;
 *   details.privileged_role says whether the role itself is one of PRIVILEGED_ROLES.
 * - IAP AuthorizeUser → session_start; SA key create → credential_issue; iamcredentials token minting →
 *   credential_issue with target_user = the service account; pods exec / serial console → session_start.
 * - status.code 7 → denied; any other non-zero code → failure.
 * - MFA is never in Cloud Audit Logs: people get method unknown with evidence external_idp (join to the
 *   Workspace login audit); service accounts get none / not_performed.
 * - Successful reads (Get/List…, *_READ permissions) are dropped unless policy.store_read_only_cloud_calls,
 *   except when a person impersonated a service account (that is access evidence).
 * - system_event entries and Workspace `login.googleapis.com` copies are dropped (other normalizers own them).
 *
 * details keys: service, method, log, project_id, resource_kind, permission, impersonated_user,
 * impersonated_by, delegation_chain, service_account_key, role, member, member_type, privileged_role,
 * service_account, key_id.
 */
import type { AuthEvent, Outcome } from '../../schema/auth-event.ts';
import { buildEvent, canonicalUser, getPath, isObject, isPrivilegedResource, str, toIsoMs, type EventFields } from './common.ts';
import { resolveGcpActor, gcpActorKey, stripMemberPrefix, type GcpActor } from './gcp/actor.ts';
import { classify, isReadOnly, PRIVILEGED_ROLES, resourceTypeOf, type GcpKind } from './gcp/classify.ts';
import { unwrapGcp } from './gcp/envelope.ts';
import type { NormalizeContext, Normalizer } from './normalizer.ts';
import { drop, ok, reject, type StepResult } from './step-result.ts';

function outcomeOf(p: Record<string, unknown>): Outcome {
  const code = Number(getPath(p, ['status', 'code']) ?? 0);
  if (!Number.isFinite(code) || code === 0) return 'success';
  return code === 7 ? 'denied' : 'failure';
}

function baseFields(entry: Record<string, unknown>, p: Record<string, unknown>, actor: GcpActor, time: string, outcome: Outcome): Omit<EventFields, 'action'> & { details: Record<string, string> } {
  const details: Record<string, string> = {};
  const put = (k: string, v: string): void => {
    if (v !== '') details[k] = v;
  };
  put('service', str(p.serviceName));
  put('method', str(p.methodName));
  put('log', (str(entry.logName).split('/logs/')[1] ?? '').replace(/%2F/gi, '/').replace(/^cloudaudit\.googleapis\.com\//, ''));
  put('project_id', str(getPath(entry, ['resource', 'labels', 'project_id'])));
  put('resource_kind', str(getPath(entry, ['resource', 'type'])));
  put('permission', str(getPath(p, ['authorizationInfo', 0, 'permission'])));
  put('impersonated_user', actor.impersonated_user);
  put('impersonated_by', actor.impersonated_by);
  put('delegation_chain', actor.delegation_chain.join(','));
  put('service_account_key', actor.service_account_key);
  const human = actor.user_type === 'human';
  const statusMessage = str(getPath(p, ['status', 'message']));
  const via = actor.impersonated_user && actor.user !== actor.impersonated_user ? `via ${actor.impersonated_user}` : '';
  return {
    event_type: str(p.methodName),
    event_time: time,
    user: actor.user,
    user_raw: actor.user_raw,
    user_type: actor.user_type,
    outcome,
    reason: outcome === 'success' ? via : [statusMessage || 'error', via].filter((x) => x).join('; '),
    resource: str(p.resourceName) || str(getPath(entry, ['resource', 'type'])),
    resource_type: resourceTypeOf(entry),
    auth_method: actor.service_account_key ? 'access_key' : 'token',
    mfa_method: human ? 'unknown' : 'none',
    mfa_evidence: human ? 'external_idp' : 'not_performed',
    src_ip: str(getPath(p, ['requestMetadata', 'callerIp'])),
    user_agent: str(getPath(p, ['requestMetadata', 'callerSuppliedUserAgent'])),
    details,
  };
}

/** SetIamPolicy: one event per binding delta (or one event when the entry has none, e.g. a denial). */
function iamPolicyEvents(id: string, base: ReturnType<typeof baseFields>, p: Record<string, unknown>, ctx: NormalizeContext): AuthEvent[] {
  const raw = getPath(p, ['serviceData', 'policyDelta', 'bindingDeltas']);
  const deltas = Array.isArray(raw) ? raw.filter(isObject) : [];
  const orgLevel = base.resource?.startsWith('organizations/') ?? false;
  if (deltas.length === 0) {
    return [buildEvent('gcp', id, { ...base, action: 'privilege_change', privileged: true }, ctx)];
  }
  return deltas.map((d, i) => {
    const role = str(d.role);
    const member = str(d.member);
    const details = { ...base.details, role, member, member_type: member.split(':')[0] ?? '', privileged_role: String(PRIVILEGED_ROLES.has(role) || orgLevel) };
    return buildEvent('gcp', deltas.length > 1 ? `${id}#${i + 1}` : id, {
      ...base,
      action: str(d.action) === 'REMOVE' ? 'access_revoked' : 'privilege_change',
      target_user: canonicalUser(stripMemberPrefix(member)),
      privileged: true,
      details,
    }, ctx);
  });
}

function mapEntry(entry: Record<string, unknown>, p: Record<string, unknown>, ctx: NormalizeContext): StepResult<AuthEvent[]> {
  if (entry.timestamp === undefined || entry.timestamp === null) return reject('missing_field', 'timestamp');
  // Cloud Logging timestamps are RFC 3339 UTC; re-exports that drop the zone still mean UTC.
  const time = typeof entry.timestamp === 'string' ? toIsoMs(entry.timestamp, { assumeUtcIfNoZone: true }) : null;
  if (time === null) return reject('invalid_time', `timestamp ${JSON.stringify(entry.timestamp).slice(0, 80)}`);
  const actor = resolveGcpActor(entry);
  if (actor === null) return reject('missing_actor', 'authenticationInfo names no principal (redacted or absent caller)');
  const kind: GcpKind = classify(entry);
  const outcome = outcomeOf(p);
  const impersonated = actor.delegation_chain.length > 0;
  if (kind.kind === 'api' && outcome === 'success' && !impersonated && isReadOnly(entry) && !ctx.policy.store_read_only_cloud_calls) {
    return drop('read_only_api_call');
  }
  const id = str(entry.insertId) || ctx.raw_sha256;
  const base = baseFields(entry, p, actor, time, outcome);
  if (kind.kind === 'iam_policy') return ok(iamPolicyEvents(id, base, p, ctx));
  const details = { ...base.details };
  if (kind.target) details.service_account = kind.target;
  const keyName = str(getPath(p, ['response', 'name']));
  if (kind.action === 'credential_issue' && /\/keys\//.test(keyName)) details.key_id = keyName.split('/keys/')[1] ?? '';
  const resource = base.resource ?? '';
  return ok([buildEvent('gcp', id, {
    ...base,
    action: kind.action,
    target_user: kind.target,
    privileged: kind.privileged || resource.startsWith('organizations/') || isPrivilegedResource(resource, ctx.policy),
    details,
  }, ctx)]);
}

/** Cloud Audit LogEntries → AuthEvents; see the module comment for the mapping. */
export const gcpNormalizer: Normalizer = {
  source: 'gcp',
  format: 'json',
  unwrap: unwrapGcp,
  partitionKey: gcpActorKey,
  normalize(record: unknown, ctx: NormalizeContext): StepResult<AuthEvent[]> {
    if (!isObject(record)) return reject('unsupported_shape', 'LogEntry is not a JSON object');
    const p = record.protoPayload;
    if (!isObject(p)) return reject('unsupported_shape', 'no protoPayload: not a Cloud Audit LogEntry');
    const type = str(p['@type']);
    if (type !== '' && !type.endsWith('google.cloud.audit.AuditLog')) return reject('unsupported_shape', `protoPayload @type ${type}`);
    if (str(p.serviceName) === 'login.googleapis.com') return drop('workspace_login_event');
    const principal = str(getPath(p, ['authenticationInfo', 'principalEmail']));
    if (str(record.logName).includes('system_event') || principal === 'system@google.com') return drop('system_event');
    return mapEntry(record, p, ctx);
  },
};
