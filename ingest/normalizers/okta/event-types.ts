import type { Action } from '../../../schema/auth-event.ts';
import { str, type EventFields } from '../common.ts';
import { evidenceOf, resolveOktaMfa } from './mfa.ts';
import { targetOf, targetUserOf, type OktaRecord } from './record.ts';

/** How an Okta event type is interpreted. Data-driven so new event types are one line (okta.md "Pitfalls"). */
export type OktaKind =
  | 'policy' | 'session_start' | 'session_end' | 'factor_verify' | 'push_sent' | 'push_denied' | 'bypass'
  | 'sso' | 'app_denied' | 'admin_app' | 'factor_enroll' | 'factor_change'
  | 'user_revoked' | 'user_changed' | 'group_add' | 'group_remove' | 'app_add' | 'app_remove'
  | 'privilege_grant' | 'privilege_revoke' | 'token_create' | 'token_revoke';

/** Event types accessproof reads; anything else is dropped as `unmapped_event_type` (and counted). */
export const OKTA_EVENT_KINDS: Readonly<Record<string, OktaKind>> = {
  'policy.evaluate_sign_on': 'policy',
  'user.session.start': 'session_start',
  'user.session.end': 'session_end',
  'user.authentication.auth_via_mfa': 'factor_verify',
  'user.authentication.verify': 'factor_verify',
  'system.push.send_factor_verify_push': 'push_sent',
  'user.mfa.okta_verify.deny_push': 'push_denied',
  'user.mfa.attempt_bypass': 'bypass',
  'user.authentication.sso': 'sso',
  'app.generic.unauth_app_access_attempt': 'app_denied',
  'user.session.access_admin_app': 'admin_app',
  'user.mfa.factor.activate': 'factor_enroll',
  'user.mfa.factor.deactivate': 'factor_change',
  'user.mfa.factor.reset_all': 'factor_change',
  'user.mfa.factor.suspend': 'factor_change',
  'user.mfa.factor.unsuspend': 'factor_change',
  'system.mfa.factor.deactivate': 'factor_change',
  'user.lifecycle.deactivate': 'user_revoked',
  'user.lifecycle.suspend': 'user_revoked',
  'user.lifecycle.delete.initiated': 'user_revoked',
  'user.lifecycle.delete.completed': 'user_revoked',
  'user.lifecycle.create': 'user_changed',
  'user.lifecycle.activate': 'user_changed',
  'user.lifecycle.reactivate': 'user_changed',
  'user.lifecycle.unsuspend': 'user_changed',
  'user.account.reset_password': 'user_changed',
  'user.account.update_password': 'user_changed',
  'group.user_membership.add': 'group_add',
  'group.user_membership.remove': 'group_remove',
  'application.user_membership.add': 'app_add',
  'application.user_membership.remove': 'app_remove',
  'user.account.privilege.grant': 'privilege_grant',
  'user.account.privilege.revoke': 'privilege_revoke',
  'user.session.impersonation.grant': 'privilege_grant',
  'user.session.impersonation.revoke': 'privilege_revoke',
  'system.api_token.create': 'token_create',
  'system.api_token.revoke': 'token_revoke',
};

/** The Okta org itself, as a resource (sessions, lifecycle, group membership). */
export const OKTA_RESOURCE = 'Okta';
/** The Okta Admin Console: admin roles and admin-app access are privileged. */
export const OKTA_ADMIN_RESOURCE = 'Okta Admin Console';
/** Okta management API (API tokens act with their creator's admin rights). */
export const OKTA_API_RESOURCE = 'Okta API';

type KindFields = Partial<EventFields>;

function appName(r: OktaRecord): string {
  const app = targetOf(r, 'AppInstance');
  if (!app) return '';
  return str(app.displayName) || str(app.alternateId);
}

function groupName(r: OktaRecord): string {
  const g = targetOf(r, 'UserGroup');
  return g ? str(g.displayName) || str(g.alternateId) : '';
}

function policyDetails(r: OktaRecord): Record<string, string> {
  const d: Record<string, string> = {};
  const policy = targetOf(r, 'PolicyEntity');
  const rule = targetOf(r, 'PolicyRule');
  if (policy && str(policy.displayName) !== '') d.policy = str(policy.displayName);
  if (rule && str(rule.displayName) !== '') d.policy_rule = str(rule.displayName);
  return d;
}

/** MFA fields of an event that verifies (or fails to verify) a factor. */
function factorFields(r: OktaRecord, base: EventFields): KindFields {
  const mfa = resolveOktaMfa(r.rec, r.debug);
  const evidence = evidenceOf(mfa.method, base.outcome);
  return {
    action: 'mfa_verify',
    resource: OKTA_RESOURCE,
    mfa_method: mfa.method,
    mfa_method_raw: mfa.raw,
    mfa_evidence: evidence,
    mfa_verified: evidence === 'performed',
    phishing_resistant: mfa.phishing_resistant,
    ...(mfa.auth_method ? { auth_method: mfa.auth_method } : {}),
  };
}

/** Admin change on a user: who is the subject, what they gain or lose. */
function adminChange(r: OktaRecord, action: Action, resource: string, extra: Record<string, string>, privileged?: boolean): KindFields {
  return {
    action,
    resource,
    target_user: targetUserOf(r),
    details: extra,
    ...(privileged === undefined ? {} : { privileged }),
  };
}

function roleOf(r: OktaRecord): Record<string, string> {
  const role = r.debug.privilegeGranted ?? r.debug.privilegeRevoked ?? '';
  if (role !== '') return { role };
  if (r.event_type.startsWith('user.session.impersonation')) return { role: 'Okta Support impersonation' };
  return {};
}

/**
 * Fields specific to one kind of Okta event, merged over `baseFields`. `details` returned here are added
 * to the base details by the caller.
 */
export function fieldsForKind(kind: OktaKind, r: OktaRecord, base: EventFields): KindFields {
  switch (kind) {
    case 'policy':
      return { action: 'login', resource: appName(r) || OKTA_RESOURCE, details: policyDetails(r) };
    case 'session_start': {
      // The session event itself rarely names a factor; a password-only hint must not be read as "no MFA"
      // here — the correlator decides from the factor events with the same externalSessionId.
      const mfa = resolveOktaMfa(r.rec, r.debug);
      const real = mfa.found && mfa.method !== 'none' && mfa.method !== 'unknown';
      return {
        action: 'login',
        resource: appName(r) || OKTA_RESOURCE,
        auth_method: mfa.auth_method ?? 'unknown',
        mfa_method_raw: mfa.raw,
        ...(real ? {
          mfa_method: mfa.method,
          mfa_evidence: evidenceOf(mfa.method, base.outcome),
          mfa_verified: evidenceOf(mfa.method, base.outcome) === 'performed',
          phishing_resistant: mfa.phishing_resistant,
        } : {}),
      };
    }
    case 'session_end':
      return { action: 'session_end', resource: OKTA_RESOURCE };
    case 'factor_verify':
      return factorFields(r, base);
    case 'push_sent':
      // A push was sent, not answered: never evidence, but counted for push fatigue.
      return Object.assign(factorFields(r, base), { mfa_evidence: 'unknown', mfa_verified: false, details: { mfa_step: 'challenge_sent' } } as const);
    case 'push_denied':
      return Object.assign(factorFields(r, base), { outcome: 'failure', mfa_verified: false, mfa_evidence: 'not_performed', details: { mfa_step: 'denied_by_user' } } as const);
    case 'bypass':
      return {
        action: 'mfa_verify', resource: OKTA_RESOURCE, mfa_method: 'bypass',
        mfa_method_raw: r.debug.factor ?? r.event_type, mfa_evidence: 'not_performed', mfa_verified: false,
      };
    case 'sso':
      return { action: 'login', resource: appName(r) || OKTA_RESOURCE, auth_method: 'sso' };
    case 'app_denied':
      // Not assigned / blocked from the app: an authorization decision, whatever result Okta logged.
      return { action: 'login', resource: appName(r) || OKTA_RESOURCE, outcome: base.outcome === 'success' ? 'success' : 'denied' };
    case 'admin_app':
      return { action: 'login', resource: OKTA_ADMIN_RESOURCE, privileged: true };
    case 'factor_enroll': {
      const mfa = resolveOktaMfa(r.rec, r.debug);
      return {
        action: 'mfa_enroll', resource: OKTA_RESOURCE, target_user: targetUserOf(r),
        mfa_method: mfa.method, mfa_method_raw: mfa.raw, phishing_resistant: mfa.phishing_resistant,
        mfa_evidence: 'unknown', mfa_verified: false,
      };
    }
    case 'factor_change': {
      const mfa = resolveOktaMfa(r.rec, r.debug);
      return Object.assign({}, adminChange(r, 'account_change', OKTA_RESOURCE, { factor_change: r.event_type.split('.').pop() ?? '' }), {
        mfa_method: mfa.method, mfa_method_raw: mfa.raw,
      } as const);
    }
    case 'user_revoked':
      return adminChange(r, 'access_revoked', OKTA_RESOURCE, { lifecycle: r.event_type.replace(/^user\.(lifecycle|account)\./, '') });
    case 'user_changed':
      return adminChange(r, 'account_change', OKTA_RESOURCE, { lifecycle: r.event_type.replace(/^user\.(lifecycle|account)\./, '') });
    case 'group_add':
      return adminChange(r, 'account_change', OKTA_RESOURCE, { group: groupName(r) });
    case 'group_remove':
      return adminChange(r, 'access_revoked', OKTA_RESOURCE, { group: groupName(r) });
    case 'app_add':
      return adminChange(r, 'account_change', appName(r) || OKTA_RESOURCE, { app: appName(r) });
    case 'app_remove':
      return adminChange(r, 'access_revoked', appName(r) || OKTA_RESOURCE, { app: appName(r) });
    case 'privilege_grant':
      return adminChange(r, 'privilege_change', OKTA_ADMIN_RESOURCE, roleOf(r), true);
    case 'privilege_revoke':
      return adminChange(r, 'access_revoked', OKTA_ADMIN_RESOURCE, roleOf(r), true);
    case 'token_create':
    case 'token_revoke': {
      const token = targetOf(r, 'Token');
      return {
        action: kind === 'token_create' ? 'credential_issue' : 'access_revoked',
        resource: OKTA_API_RESOURCE,
        privileged: true,
        auth_method: 'token',
        details: token ? { token_name: str(token.displayName), token_id: str(token.id) } : {},
      };
    }
    default: {
      const never: never = kind;
      return never;
    }
  }
}
