/**
 * AWS CloudTrail normalizer (S3 objects, EventBridge, CloudWatch Logs copies, CloudTrail Lake rows).
 *
 * Mapping decisions (see ../../../shared/formats/aws-cloudtrail.md):
 * - Actor: federated sessions are the person (`assumed-role/Role/alice@example.com` → alice@example.com,
 *   SAML subject / roleSessionName for AssumeRoleWithSAML); IAM users are their user name; root is the root
 *   ARN with user_type root and privileged true; user_raw keeps the ARN.
 * - ConsoleLogin → login; AssumeRole* → role_assumption; GetSessionToken / GetFederationToken → credential_issue.
 *   The STS call's new `ASIA…` key is the session_id that later calls with that key carry.
 * - IAM user/key/MFA/policy/group changes → account_change / credential_issue / mfa_enroll / privilege_change /
 *   access_revoked with target_user = the IAM user name.
 * - Successful read-only calls (Describe/List/Get…) are dropped unless policy.store_read_only_cloud_calls;
 *   denied or failed reads are kept (a denial is evidence). Credential reads (GetPasswordData,
 *   GetSecretValue, BatchGetSecretValue) are always kept. Other writes → api_call.
 * - privileged: root, sessions of roles named `*Admin*`, assuming such a role, every IAM write (whoever makes
 *   it), and policy.privileged_resources globs. details.admin_policy tells whether a grant confers admin.
 * - MFA: console MFAIdentifier `…:u2f/…` → security_key, `…:mfa/…` → totp; STS serialNumber likewise;
 *   sessionContext mfaAuthenticated="true" → method unknown, evidence performed (verified on success);
 *   federated identities → external_idp (their IdP event has the factor); IAM users/root without → none.
 * - Envelopes: EventBridge `detail` (rejected when it lacks eventName/eventTime/userIdentity; other detail
 *   types dropped), LookupEvents pages, CloudTrail Lake rows and GetQueryResults pages (lower-case columns),
 *   digest files dropped.
 * - errorCode AccessDenied / UnauthorizedOperation → denied; any other errorCode → failure.
 *
 * details keys written here: identity_kind (root|iam_user|federated|assumed_role|service|account|unknown),
 * account_id, region, event_source, role (caller's role), role_session_name, caller_access_key_id,
 * session_issuer, error_code, error_message, vpc_endpoint_id, mfa_device, saml_provider, user_hidden,
 * access_key_id (the key issued/changed, else absent), session_expires_at (ISO, from STS expiration),
 * duration_seconds, idp_issuer, assumed_role_arn, federated_user, target_role, target_account_id, group,
 * key_status, policy, admin_policy ('true'|'false'), resource_arn.
 */
import type { AuthEvent } from '../../schema/auth-event.ts';
import { buildEvent, isObject, isPrivilegedResource, str } from './common.ts';
import { nonRecordDrop, unwrapCloudTrail } from './cloudtrail/envelope.ts';
import { isIamChange, mapIamChange } from './cloudtrail/iam.ts';
import { actorKey } from './cloudtrail/identity.ts';
import { sessionMfa } from './cloudtrail/mfa.ts';
import { callerAuthMethod, commonFields, parseRecord, type CtRecord } from './cloudtrail/record.ts';
import { mapConsoleLogin, mapStsIssuance, STS_ISSUANCE } from './cloudtrail/signin.ts';
import type { NormalizeContext, Normalizer } from './normalizer.ts';
import { drop, ok, type StepResult } from './step-result.ts';

const READ_ONLY_NAME = /^(Describe|List|Get|Head|Lookup|Search|BatchGet)/;
/** Reads that hand out a secret or password: access evidence, never noise. */
const CREDENTIAL_READS = new Set(['GetPasswordData', 'GetSecretValue', 'BatchGetSecretValue']);

function isReadOnly(r: CtRecord): boolean {
  if (r.rec.readOnly === true) return true;
  if (r.rec.readOnly === false) return false;
  return READ_ONLY_NAME.test(r.name);
}

function mapApiCall(r: CtRecord, ctx: NormalizeContext): AuthEvent {
  const c = commonFields(r);
  const resource = `aws/${r.account || 'unknown'}/${r.service || 'unknown'}`;
  const details = c.details;
  const resources = r.rec.resources;
  const first: unknown = Array.isArray(resources) ? resources[0] : undefined;
  const arn = isObject(first) ? str(first.ARN) : '';
  if (arn) details.resource_arn = arn;
  return buildEvent('cloudtrail', r.id, Object.assign(c, { action: 'api_call', resource, resource_type: 'cloud_api', // IAM writes change who may do what: privileged whoever makes them.
    privileged: r.actor.admin || (r.service === 'iam' && !isReadOnly(r))
      || isPrivilegedResource(resource, ctx.policy) || (arn !== '' && isPrivilegedResource(arn, ctx.policy)), auth_method: callerAuthMethod(r) } as const, sessionMfa(r.actor, c.outcome), {
    details,
  } as const), ctx);
}

function mapRecord(r: CtRecord, ctx: NormalizeContext): StepResult<AuthEvent[]> {
  const eventType = str(r.rec.eventType);
  if (eventType === 'AwsServiceEvent') return drop('aws_service_event');
  if (eventType === 'AwsCloudTrailInsight' || str(r.rec.eventCategory) === 'Insight') return drop('insight_event');
  if (r.name === 'ConsoleLogin') return ok([mapConsoleLogin(r, ctx)]);
  if (Object.hasOwn(STS_ISSUANCE, r.name)) return ok([mapStsIssuance(r, ctx)]);
  if (isIamChange(r)) return ok([mapIamChange(r, ctx)]);
  const noisy = isReadOnly(r) && r.error_code === '' && !CREDENTIAL_READS.has(r.name);
  if (noisy && !ctx.policy.store_read_only_cloud_calls) return drop('read_only_api_call');
  return ok([mapApiCall(r, ctx)]);
}

/** CloudTrail records → AuthEvents; see the module comment for the mapping. */
export const cloudtrailNormalizer: Normalizer = {
  source: 'cloudtrail',
  format: 'json',
  unwrap: unwrapCloudTrail,
  partitionKey: actorKey,
  normalize(record: unknown, ctx: NormalizeContext): StepResult<AuthEvent[]> {
    const noise = isObject(record) ? nonRecordDrop(record) : '';
    if (noise !== '') return drop(noise);
    const parsed = parseRecord(record, ctx);
    if (parsed.kind !== 'ok') return parsed;
    return mapRecord(parsed.value, ctx);
  },
};
