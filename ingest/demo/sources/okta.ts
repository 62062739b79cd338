/**
 * Okta System Log `LogEvent`s as returned by `GET /api/v1/logs` (shape follows formats/okta.md and the
 * samples: Classic `debugData.factor` for most factors, Identity Engine `AuthenticatorEnrollment` targets for
 * FastPass and password-only sign-ins).
 */
import { INFRA, type Person } from '../org.ts';
import { geoOf, isOffice } from '../net.ts';
import { ALPHABET, type Rng } from '../prng.ts';
import { isoMs } from '../time-format.ts';
import { secs, type World } from '../world.ts';

/** An Okta application instance (target of SSO events). */
export interface OktaApp {
  readonly id: string;
  readonly name: string;
  readonly mode: 'SAML_2_0' | 'OPENID_CONNECT';
  readonly path: string;
}

/** Applications assigned in the demo Okta org. */
export const OKTA_APPS = {
  teleport: { id: '0oa7tlprtQ2mXkV94x7x', name: 'Teleport', mode: 'SAML_2_0', path: '/app/teleport_saml/exk7tlprt/sso/saml' },
  aws: { id: '0oa7awsfdR8nPcL24x7x', name: 'AWS Account Federation', mode: 'SAML_2_0', path: '/app/amazon_aws/exk7awsfd/sso/saml' },
  google: { id: '0oa7gwsp0T3bHdJ64x7x', name: 'Google Workspace', mode: 'SAML_2_0', path: '/app/google/exk7gwsp0/sso/saml' },
  boundary: { id: '0oa7bndryV5cWzF14x7x', name: 'Boundary', mode: 'OPENID_CONNECT', path: '/oauth2/v1/authorize' },
  grafana: { id: '0oa7grfna1KsYtE84x7x', name: 'Grafana', mode: 'OPENID_CONNECT', path: '/oauth2/v1/authorize' },
  slack: { id: '0oa7slck0M4aQeR34x7x', name: 'Slack', mode: 'SAML_2_0', path: '/app/slack/exk7slck0/sso/saml' },
  jira: { id: '0oa7jira0P9gUvB54x7x', name: 'Jira Cloud', mode: 'SAML_2_0', path: '/app/atlassian/exk7jira0/sso/saml' },
  salesforce: { id: '0oa7sfdc0N2hIoZ74x7x', name: 'Salesforce', mode: 'SAML_2_0', path: '/app/salesforce/exk7sfdc0/sso/saml' },
} as const satisfies Record<string, OktaApp>;

/** Who acts in an event: a person or Okta itself. */
type Actor = { alternateId: string; detailEntry: null; displayName: string; id: string; type: string };

function actorOf(p: Person): Actor {
  return { alternateId: p.email, detailEntry: null, displayName: p.display, id: p.okta_id, type: 'User' };
}

function userTarget(p: Person): Record<string, unknown> {
  return { alternateId: p.email, detailEntry: null, displayName: p.display, id: p.okta_id, type: 'User' };
}

function clientOf(ip: string, ua: string): Record<string, unknown> {
  const g = geoOf(ip);
  const os = ua.includes('Macintosh') ? 'Mac OS X' : ua.includes('Windows') ? 'Windows 10' : 'Linux';
  const browser = ua.includes('Firefox') ? 'FIREFOX' : ua.includes('Edg/') ? 'EDGE' : 'CHROME';
  return {
    device: 'Computer',
    geographicalContext: { city: g.city, country: g.country, geolocation: { lat: g.lat, lon: g.lon }, postalCode: g.postal, state: g.state },
    id: null,
    ipAddress: ip,
    userAgent: { browser, os, rawUserAgent: ua },
    zone: isOffice(ip) ? 'Corporate Office' : 'null',
  };
}

/** The parts of a LogEvent that vary per event type. */
export interface OktaEventSpec {
  readonly eventType: string;
  readonly displayMessage: string;
  readonly legacyEventType?: string | null;
  readonly result: string;
  readonly reason?: string | null;
  readonly severity?: 'INFO' | 'WARN';
  readonly debug?: Record<string, string>;
  readonly requestUri: string;
  readonly url?: string;
  readonly target?: readonly Record<string, unknown>[] | null;
  readonly sessionId?: string | null;
  readonly provider?: string | null;
  readonly credentialProvider?: string | null;
  readonly device?: Record<string, unknown> | null;
  readonly ip: string;
  readonly ua: string;
}

/** A new Okta session id (`externalSessionId`). */
export function oktaSessionId(rng: Rng): string {
  return `102${rng.chars(22, ALPHABET.alnum)}`;
}

/** Emits one LogEvent by `actor` at t. */
export function emitOkta(w: World, rng: Rng, t: number, actor: Person, spec: OktaEventSpec): void {
  const requestId = rng.chars(27, ALPHABET.alnum);
  const g = geoOf(spec.ip);
  w.emit('okta', t, {
    actor: actorOf(actor),
    authenticationContext: {
      authenticationProvider: spec.provider ?? null, authenticationStep: 0, credentialProvider: spec.credentialProvider ?? null,
      credentialType: null, externalSessionId: spec.sessionId ?? null, interface: null, issuer: null,
    },
    client: clientOf(spec.ip, spec.ua),
    debugContext: { debugData: { ...spec.debug, requestId, requestUri: spec.requestUri, threatSuspected: 'false', url: spec.url ?? `${spec.requestUri}?` } },
    device: spec.device ?? null,
    displayMessage: spec.displayMessage,
    eventType: spec.eventType,
    legacyEventType: spec.legacyEventType ?? null,
    outcome: { reason: spec.reason ?? null, result: spec.result },
    published: isoMs(t),
    request: { ipChain: [{ geographicalContext: { city: g.city, country: g.country, geolocation: { lat: g.lat, lon: g.lon }, postalCode: g.postal, state: g.state }, ip: spec.ip, source: null, version: 'V4' }] },
    securityContext: { asNumber: g.asn, asOrg: g.isp, domain: `${g.isp}.example`, isProxy: g.proxy, isp: g.isp },
    severity: spec.severity ?? 'INFO',
    target: spec.target === undefined ? [userTarget(actor)] : spec.target,
    transaction: { detail: {}, id: requestId, type: 'WEB' },
    uuid: `${rng.chars(8, ALPHABET.hex)}-${rng.chars(4, ALPHABET.hex)}-11ef-${rng.pick(['8', '9', 'a', 'b'])}${rng.chars(3, ALPHABET.hex)}-${rng.chars(12, ALPHABET.hex)}`,
    version: '0',
  });
}

/** The factor verification event of a person's usual factor (Classic or Identity Engine shape). */
function factorSpec(p: Person, sessionId: string, ip: string, ok: boolean): OktaEventSpec {
  const base = { eventType: 'user.authentication.auth_via_mfa', displayMessage: 'Authentication of user via MFA', sessionId, ip, ua: p.user_agent, provider: 'FACTOR_PROVIDER' } as const;
  const result = ok ? { result: 'SUCCESS', reason: null, legacyEventType: 'core.user.factor.attempt_success' } : { result: 'FAILURE', reason: 'INVALID_CREDENTIALS', severity: 'WARN' as const, legacyEventType: 'core.user.factor.attempt_fail' };
  switch (p.factor) {
    case 'fastpass':
    case 'password': {
      const fast = p.factor === 'fastpass';
      return {
        ...base, ...result, provider: fast ? 'FACTOR_PROVIDER' : null, legacyEventType: null,
        requestUri: fast ? `/idp/idx/authenticators/sso_extension/transactions/ft${p.login}/verify` : '/idp/idx/challenge/answer',
        target: [userTarget(p), {
          alternateId: 'unknown',
          detailEntry: fast
            ? { methodTypeUsed: 'Use Okta FastPass', methodUsedVerifiedProperties: '[DEVICE_BOUND, PHISHING_RESISTANT, HARDWARE_PROTECTED]' }
            : { methodTypeUsed: 'Password', methodUsedVerifiedProperties: '[USER_PRESENCE]' },
          displayName: fast ? 'Okta Verify' : 'Password', id: `pfd${p.okta_factor_id}`, type: 'AuthenticatorEnrollment',
        }],
        device: fast ? { id: `guo${p.okta_factor_id}`, name: 'MacBookPro18,3', os_platform: 'OSX', os_version: '15.3.1', managed: true, registered: true, device_integrator: null, disk_encryption_type: 'ALL_INTERNAL_VOLUMES', screen_lock_type: 'BIOMETRIC', jailbreak: null, secure_hardware_present: true } : null,
      };
    }
    case 'security_key':
    case 'platform':
      return { ...base, ...result, debug: { factor: 'FIDO_WEBAUTHN', promptingPolicyTypes: '[OKTA_SIGN_ON]' }, requestUri: '/api/v1/authn/factors/webauthn/verify', url: '/api/v1/authn/factors/webauthn/verify?rememberDevice=false' };
    case 'totp':
      return { ...base, ...result, debug: { factor: 'token:software:totp' }, requestUri: `/api/v1/authn/factors/${p.okta_factor_id}/verify` };
    case 'sms':
      return { ...base, ...result, debug: { factor: 'sms' }, requestUri: `/api/v1/authn/factors/${p.okta_factor_id}/verify` };
    default:
      return { ...base, ...result, credentialProvider: 'OKTA_CREDENTIAL_PROVIDER', debug: { factor: 'OKTA_VERIFY_PUSH' }, requestUri: `/api/v1/authn/factors/${p.okta_factor_id}/verify` };
  }
}

/** Options for a sign-in. */
export interface OktaSignInOpts {
  readonly ip: string;
  /** A mistyped factor (OTP/SMS) before the good one. */
  readonly factorRetry?: boolean;
  /** Extra debugData on the approving event (risk signals). */
  readonly risk?: string;
}

/** A full sign-in: policy CHALLENGE → [push sent] → factor verified → session started. Returns the session and end time. */
export function oktaSignIn(w: World, rng: Rng, p: Person, t0: number, o: OktaSignInOpts): { sessionId: string; t: number } {
  const sessionId = oktaSessionId(rng);
  let t = t0;
  const usesFactor = p.factor !== 'password';
  emitOkta(w, rng, t, p, {
    eventType: 'policy.evaluate_sign_on', displayMessage: 'Evaluation of sign-on policy', result: usesFactor ? 'CHALLENGE' : 'ALLOW',
    reason: `Sign-on policy evaluation resulted in ${usesFactor ? 'CHALLENGE' : 'ALLOW'}`, requestUri: '/api/v1/authn', sessionId, ip: o.ip, ua: p.user_agent,
    target: [
      { alternateId: 'unknown', detailEntry: { policyType: 'OktaSignOn' }, displayName: 'Default Policy', id: '00p7dfltp0LiCy0x4x7x', type: 'PolicyEntity' },
      { alternateId: '00p7dfltp0LiCy0x4x7x', detailEntry: null, displayName: usesFactor ? 'Require MFA - all users' : 'Legacy - password only (finance)', id: usesFactor ? '0pr7ATzC9wKAo9cRHb3A' : '0pr7LgcyP4ssW0rdOnly', type: 'PolicyRule' },
    ],
  });
  t += secs(rng, 1, 4);
  if (p.factor === 'push' || p.factor === 'push_number_match') {
    emitOkta(w, rng, t, p, { eventType: 'system.push.send_factor_verify_push', displayMessage: 'Push notification sent for verify', result: 'SUCCESS', debug: { factor: 'OKTA_VERIFY_PUSH' }, requestUri: `/api/v1/authn/factors/${p.okta_factor_id}/verify`, sessionId, ip: o.ip, ua: p.user_agent });
    t += secs(rng, 4, 14);
  }
  if (o.factorRetry && (p.factor === 'totp' || p.factor === 'sms')) {
    emitOkta(w, rng, t, p, factorSpec(p, sessionId, o.ip, false));
    t += secs(rng, 15, 40);
  }
  const ok = factorSpec(p, sessionId, o.ip, true);
  emitOkta(w, rng, t, p, o.risk ? { ...ok, debug: { ...ok.debug, risk: o.risk } } : ok);
  t += secs(rng, 0.2, 0.6);
  emitOkta(w, rng, t, p, { eventType: 'user.session.start', displayMessage: 'User login to Okta', legacyEventType: 'core.user_auth.login_success', result: 'SUCCESS', requestUri: '/login/sessionCookieRedirect', sessionId, ip: o.ip, ua: p.user_agent, target: null });
  return { sessionId, t };
}

/** SSO from an Okta session into an app (the bridge to the app's own log). */
export function oktaSso(w: World, rng: Rng, p: Person, t: number, app: OktaApp, sessionId: string, ip: string): void {
  emitOkta(w, rng, t, p, {
    eventType: 'user.authentication.sso', displayMessage: 'User single sign on to app', result: 'SUCCESS', requestUri: app.path, sessionId, ip, ua: p.user_agent,
    target: [
      { alternateId: app.name, detailEntry: { signOnModeType: app.mode }, displayName: app.name, id: app.id, type: 'AppInstance' },
      { alternateId: p.email, detailEntry: null, displayName: p.display, id: `0ua${p.okta_id.slice(3)}`, type: 'AppUser' },
    ],
  });
}

/** A mistyped password: session start FAILURE without a session. */
export function oktaBadPassword(w: World, rng: Rng, p: Person, t: number, ip: string, reason = 'INVALID_CREDENTIALS'): void {
  emitOkta(w, rng, t, p, { eventType: 'user.session.start', displayMessage: 'User login to Okta', legacyEventType: 'core.user_auth.login_failed', result: 'FAILURE', reason, severity: 'WARN', requestUri: '/api/v1/authn', ip, ua: p.user_agent, target: null });
}

/** A push sent and denied on the phone (Classic `deny_push`). */
export function oktaPushDenied(w: World, rng: Rng, p: Person, t: number, ip: string, ua: string): number {
  const uri = `/api/v1/authn/factors/${p.okta_factor_id}/verify`;
  emitOkta(w, rng, t, p, { eventType: 'system.push.send_factor_verify_push', displayMessage: 'Push notification sent for verify', result: 'SUCCESS', debug: { factor: 'OKTA_VERIFY_PUSH' }, requestUri: uri, ip, ua });
  const t2 = t + secs(rng, 8, 25);
  emitOkta(w, rng, t2, p, { eventType: 'user.mfa.okta_verify.deny_push', displayMessage: 'User rejected Okta push verify', result: 'FAILURE', severity: 'WARN', debug: { factor: 'OKTA_VERIFY_PUSH' }, requestUri: uri, ip, ua });
  return t2;
}

/** Admin console access (privileged). */
export function oktaAdminConsole(w: World, rng: Rng, p: Person, t: number, sessionId: string, ip: string): void {
  emitOkta(w, rng, t, p, { eventType: 'user.session.access_admin_app', displayMessage: 'User accessing Okta administrator app', result: 'SUCCESS', requestUri: '/admin/sso/callback', sessionId, ip, ua: p.user_agent, target: null });
}

/** Logout. */
export function oktaLogout(w: World, rng: Rng, p: Person, t: number, sessionId: string, ip: string): void {
  emitOkta(w, rng, t, p, { eventType: 'user.session.end', displayMessage: 'User logout from Okta', legacyEventType: 'core.user_auth.logout_success', result: 'SUCCESS', requestUri: '/login/signout', sessionId, ip, ua: p.user_agent, target: null });
}

/** A sign-on policy DENY for an app plus the unauthorized-access event. */
export function oktaPolicyDeny(w: World, rng: Rng, p: Person, t: number, app: OktaApp, sessionId: string, ip: string): void {
  emitOkta(w, rng, t, p, { eventType: 'policy.evaluate_sign_on', displayMessage: 'Evaluation of sign-on policy', result: 'DENY', reason: 'Sign-on policy evaluation resulted in DENY', severity: 'WARN', requestUri: app.path, sessionId, ip, ua: p.user_agent,
    target: [{ alternateId: 'unknown', detailEntry: { policyType: 'AccessPolicy' }, displayName: `${app.name} - employees only`, id: '00p7apppol0Ky2x4x7x', type: 'PolicyEntity' }] });
  emitOkta(w, rng, t + 70, p, { eventType: 'app.generic.unauth_app_access_attempt', displayMessage: 'User attempted unauthorized access to app', result: 'FAILURE', severity: 'WARN', requestUri: app.path, sessionId, ip, ua: p.user_agent,
    target: [{ alternateId: app.name, detailEntry: { signOnModeType: app.mode }, displayName: app.name, id: app.id, type: 'AppInstance' }] });
}

/** Admin change on another user (lifecycle, factors, groups, admin roles). */
export function oktaAdminChange(
  w: World, rng: Rng, admin: Person, t: number, target: Person, sessionId: string,
  change: { kind: 'deactivate' | 'reset_factors' | 'group_add' | 'group_remove' | 'privilege_grant' | 'privilege_revoke' | 'suspend'; group?: string; role?: string },
): void {
  const ip = INFRA.office_ip;
  const groupId = `00g${(change.group ?? 'group').replace(/[^a-z0-9]/gi, '').slice(0, 13).padEnd(13, '0')}4x7x`;
  const common = { sessionId, ip, ua: admin.user_agent, result: 'SUCCESS' } as const;
  switch (change.kind) {
    case 'deactivate':
      return emitOkta(w, rng, t, admin, { ...common, eventType: 'user.lifecycle.deactivate', displayMessage: 'Deactivate Okta user', requestUri: `/api/v1/users/${target.okta_id}/lifecycle/deactivate`, target: [userTarget(target)] });
    case 'suspend':
      return emitOkta(w, rng, t, admin, { ...common, eventType: 'user.lifecycle.suspend', displayMessage: 'Suspend Okta user', requestUri: `/api/v1/users/${target.okta_id}/lifecycle/suspend`, target: [userTarget(target)] });
    case 'reset_factors':
      return emitOkta(w, rng, t, admin, { ...common, eventType: 'user.mfa.factor.reset_all', displayMessage: 'Reset all factors for user', requestUri: `/api/v1/users/${target.okta_id}/lifecycle/reset_factors`, target: [userTarget(target)] });
    case 'group_add':
    case 'group_remove':
      return emitOkta(w, rng, t, admin, {
        ...common, eventType: `group.user_membership.${change.kind === 'group_add' ? 'add' : 'remove'}`,
        displayMessage: change.kind === 'group_add' ? 'Add user to group membership' : 'Remove user from group membership',
        requestUri: `/api/v1/groups/${groupId}/users/${target.okta_id}`,
        target: [userTarget(target), { alternateId: 'unknown', detailEntry: null, displayName: change.group ?? '', id: groupId, type: 'UserGroup' }],
      });
    case 'privilege_grant':
    case 'privilege_revoke': {
      const grant = change.kind === 'privilege_grant';
      return emitOkta(w, rng, t, admin, {
        ...common, eventType: `user.account.privilege.${grant ? 'grant' : 'revoke'}`, displayMessage: grant ? 'Grant user privilege' : 'Revoke user privilege',
        legacyEventType: grant ? 'core.user.admin_privilege.granted' : 'core.user.admin_privilege.revoked',
        debug: grant ? { privilegeGranted: change.role ?? 'Organization administrator' } : { privilegeRevoked: change.role ?? 'Organization administrator' },
        requestUri: `/api/internal/administrators/${target.okta_id}`, url: `/api/internal/administrators/${target.okta_id}`, target: [userTarget(target)],
      });
    }
  }
}

/** A user enrolls a new factor. */
export function oktaFactorActivate(w: World, rng: Rng, p: Person, t: number, sessionId: string, factor: string): void {
  emitOkta(w, rng, t, p, { eventType: 'user.mfa.factor.activate', displayMessage: 'User set up MFA factor', result: 'SUCCESS', debug: { factor }, requestUri: `/api/v1/users/${p.okta_id}/factors/${p.okta_factor_id}/lifecycle/activate`, sessionId, ip: p.home_ip, ua: p.user_agent });
}
