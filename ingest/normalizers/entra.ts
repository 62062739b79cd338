/**
 * Microsoft Entra ID normalizer: Graph `signIn` and `directoryAudit` resources, and the same objects
 * wrapped in Azure Monitor diagnostic records (`{"records":[...]}` from Event Hub / Storage).
 *
 * `details` keys written by this source:
 * - sign-ins: `app`, `app_id`, `resource_id`, `correlation_id`, `user_id` (object id), `tenant_id`, `category`
 *   (diagnostic category), `auth_requirement`, `ca_status`, `ca_policies_failed` (comma list), `auth_strength`
 *   (satisfied authentication strength), `incoming_token_type`, `client_credential_type`,
 *   `authentication_protocol`, `service_principal_id`, `interactive`, `device_id`, `device_compliant`, `country`,
 *   `error_code`, `sign_in_type` (comma list of signInEventTypes), `mfa_device` (authenticationMethodDetail).
 * - audits: `activity`, `audit_category`, `operation_type`, `logged_by`, `correlation_id`, `target_id`, `role`,
 *   `role_template_id`, `group`, `group_id`, `key_id`, `key_change` (added|removed), `key_type`.
 */
import type { AuthEvent } from '../../schema/auth-event.ts';
import { getPath, isObject, str } from './common.ts';
import { normalizeAudit } from './entra/audit.ts';
import { classify, collapseSplitSignIns, pick, pickStr } from './entra/record.ts';
import { normalizeSignIn } from './entra/sign-in.ts';
import type { NormalizeContext, Normalizer } from './normalizer.ts';
import { drop, ok, reject, type StepResult } from './step-result.ts';

/** Splits Graph pages (`value[]`) and diagnostic messages (`records[]`) into records. */
function unwrapEntra(doc: unknown): StepResult<unknown[]> {
  if (!isObject(doc)) return ok([doc]);
  if ('@odata.context' in doc || '@odata.nextLink' in doc || ('value' in doc && Array.isArray(doc.value))) {
    const value = doc.value;
    if (value === undefined) return ok([]);
    if (!Array.isArray(value)) return reject('unsupported_shape', 'Graph page `value` is not an array');
    return ok(value);
  }
  const records = pick(doc, 'records');
  if (records !== undefined && !isObject(pick(doc, 'properties'))) {
    if (!Array.isArray(records)) return reject('unsupported_shape', '`records` is not an array');
    return ok(collapseSplitSignIns(records));
  }
  return ok([doc]);
}

/** The actor's key: lower-cased UPN (sign-in, diagnostic, audit initiator), else the service principal. */
function partitionKeyEntra(record: unknown): string {
  if (!isObject(record)) return '';
  const props = pick(record, 'properties');
  const body = isObject(props) ? props : record;
  const upn = pickStr(body, 'userPrincipalName')
    || str(getPath(body, ['initiatedBy', 'user', 'userPrincipalName']))
    || pickStr(body, 'servicePrincipalName')
    || str(getPath(body, ['initiatedBy', 'app', 'servicePrincipalName']));
  return upn.trim().toLowerCase();
}

function normalizeEntra(record: unknown, ctx: NormalizeContext): StepResult<AuthEvent[]> {
  if (!isObject(record)) return reject('unsupported_shape', 'record is not a JSON object');
  const shape = classify(record);
  switch (shape.kind) {
    case 'signin':
      return normalizeSignIn(shape.body, shape.envelope, ctx);
    case 'audit':
      return normalizeAudit(shape.body, shape.envelope, ctx);
    case 'other_category':
      // Diagnostic settings often export every category (risk, provisioning, Graph activity...).
      return drop(`unsupported_category:${shape.category}`);
    case 'unknown':
      return reject('unsupported_shape', 'neither a signIn, a directoryAudit nor a diagnostic record');
    default: {
      const never: never = shape;
      return reject('unsupported_shape', String(never));
    }
  }
}

/** Normalizer for Microsoft Entra ID sign-in and directory audit logs. */
export const entraNormalizer: Normalizer = {
  source: 'entra',
  format: 'json',
  unwrap: unwrapEntra,
  partitionKey: partitionKeyEntra,
  normalize: normalizeEntra,
};
