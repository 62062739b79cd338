import type { Action, AuthEvent } from '../../../schema/auth-event.ts';
import { buildEvent, canonicalUser, isObject, str, toIsoMs, type EventFields } from '../common.ts';
import type { NormalizeContext } from '../normalizer.ts';
import { drop, ok, reject, type StepResult } from '../step-result.ts';
import { duoFactorMethod } from './factors.ts';

/** Resource name of Duo's own admin panel: admin roles and admin logins are privileged. */
export const DUO_ADMIN_RESOURCE = 'Duo Admin Panel';
/** Duo itself, for user/bypass changes that affect every protected application. */
export const DUO_RESOURCE = 'Duo';

/** True when a record looks like an Administrator Log entry (`/admin/v1/logs/administrator`). */
export function isDuoAdminRecord(rec: Record<string, unknown>): boolean {
  return typeof rec.action === 'string' && rec.event_type === undefined && rec.factor === undefined;
}

/** `description` is a JSON string in the Admin API; anything unparseable is treated as empty. */
function descriptionOf(rec: Record<string, unknown>): Record<string, unknown> {
  const d = rec.description;
  if (isObject(d)) return d;
  if (typeof d !== 'string' || d.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(d);
    return isObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

// Configuration changes and secret/bypass-code views: audit material, not access facts.
const CONFIG_ACTION = /^(integration|policy|application|settings|customer|branding|trusted_endpoint|directory_sync)_|_view$/;

// Duo user statuses that take access away (the user can no longer authenticate).
const REVOKING_STATUSES = new Set(['disabled', 'locked out', 'locked_out', 'pending deletion']);

interface AdminMapping {
  readonly action: Action;
  readonly resource: string;
  readonly privileged: boolean;
  readonly details: Record<string, string>;
  readonly target_email?: string;
}

function mapAdminAction(action: string, desc: Record<string, unknown>): AdminMapping | null {
  const role = str(desc.role);
  const status = str(desc.status);
  switch (action) {
    case 'admin_create':
      return { action: 'privilege_change', resource: DUO_ADMIN_RESOURCE, privileged: true, details: { role }, target_email: str(desc.email) };
    case 'admin_update':
      return role !== ''
        ? { action: 'privilege_change', resource: DUO_ADMIN_RESOURCE, privileged: true, details: { role } }
        : { action: 'account_change', resource: DUO_ADMIN_RESOURCE, privileged: true, details: {} };
    case 'admin_delete':
      return { action: 'access_revoked', resource: DUO_ADMIN_RESOURCE, privileged: true, details: { role } };
    case 'user_create':
      return { action: 'account_change', resource: DUO_RESOURCE, privileged: false, details: { lifecycle: 'create' } };
    case 'user_delete':
      return { action: 'access_revoked', resource: DUO_RESOURCE, privileged: false, details: { lifecycle: 'delete' } };
    case 'user_update':
      if (REVOKING_STATUSES.has(status.toLowerCase())) {
        return { action: 'access_revoked', resource: DUO_RESOURCE, privileged: false, details: { duo_status: status.toLowerCase() } };
      }
      return { action: 'account_change', resource: DUO_RESOURCE, privileged: false, details: { duo_status: status.toLowerCase(), changed: Object.keys(desc).sort().join(',') } };
    case 'bypass_create':
      return { action: 'credential_issue', resource: DUO_RESOURCE, privileged: false, details: { credential: 'bypass_code', valid_secs: str(desc.valid_secs), remaining_uses: str(desc.remaining_uses) } };
    case 'bypass_delete':
      return { action: 'access_revoked', resource: DUO_RESOURCE, privileged: false, details: { credential: 'bypass_code' } };
    default:
      return null;
  }
}

/** Admin logins to the Duo Admin Panel are access facts with their own factor. */
function adminLogin(rec: Record<string, unknown>, desc: Record<string, unknown>, base: EventFields, ctx: NormalizeContext): AuthEvent {
  const action = str(rec.action);
  const factor = str(desc.factor);
  const method = duoFactorMethod(factor);
  const success = action === 'admin_login';
  const verified = success && method !== 'none' && method !== 'bypass' && method !== 'unknown';
  return buildEvent('duo', ctx.raw_sha256, {
    ...base,
    action: 'login',
    resource: DUO_ADMIN_RESOURCE,
    privileged: true,
    outcome: success ? 'success' : 'failure',
    reason: success ? '' : action,
    mfa_method: factor === '' ? 'unknown' : method,
    mfa_method_raw: factor,
    mfa_verified: verified,
    mfa_evidence: verified ? 'performed' : factor === '' ? 'unknown' : 'not_performed',
    src_ip: str(desc.ip_address),
  }, ctx);
}

/**
 * Normalizes one Duo Administrator Log entry. Access and admin facts (admin logins, admin role grants,
 * user disable/delete, bypass-code issue/delete, user status changes) become events; configuration
 * changes (integrations, policies, settings) and secret views are dropped as `admin_config_event`,
 * any other action as `unmapped_admin_action` (counted, so new action names show up).
 * NOTE: admin log entries carry no vendor id, so the event id derives from the raw record's SHA-256.
 */
export function normalizeDuoAdmin(rec: Record<string, unknown>, ctx: NormalizeContext): StepResult<AuthEvent[]> {
  // Duo logs in UTC; SIEM exports (e.g. Panther) drop the zone designator.
  const time = toIsoMs(rec.isotimestamp, { assumeUtcIfNoZone: true }) ?? toIsoMs(rec.timestamp, { assumeUtcIfNoZone: true });
  if (time === null) return reject('invalid_time', `isotimestamp=${JSON.stringify(rec.isotimestamp ?? null)}`);
  const admin = str(rec.username).trim();
  if (admin === '') return reject('missing_field', 'username');
  const action = str(rec.action).trim().toLowerCase();
  const desc = descriptionOf(rec);
  const base: EventFields = {
    event_type: `admin:${action}`,
    event_time: time,
    action: 'account_change',
    user_raw: admin,
    user_type: 'human',
    outcome: 'success',
    resource_type: 'idp_app',
    details: { duo_action: action },
  };
  if (action === 'admin_login' || action === 'admin_login_error' || action === 'admin_2fa_error') {
    return ok([adminLogin(rec, desc, base, ctx)]);
  }
  const mapped = mapAdminAction(action, desc);
  if (!mapped) return drop(CONFIG_ACTION.test(action) ? 'admin_config_event' : 'unmapped_admin_action');
  const details: Record<string, string> = { duo_action: action };
  for (const [k, v] of Object.entries(mapped.details)) if (v !== '') details[k] = v;
  const target = mapped.target_email && mapped.target_email !== '' ? mapped.target_email : str(rec.object);
  return ok([buildEvent('duo', ctx.raw_sha256, {
    ...base,
    action: mapped.action,
    resource: mapped.resource,
    privileged: mapped.privileged,
    target_user: target === '' ? '' : canonicalUser(target),
    details,
    ...(action === 'bypass_create' ? { mfa_method: 'bypass' as const, mfa_method_raw: 'bypass_code', mfa_evidence: 'not_performed' as const } : {}),
  }, ctx)]);
}
