import { ALNUM, HEX, type Person, type World } from './world.ts';

// Okta System Log LogEvents (GET /api/v1/logs shape, shared/formats/okta.md), 1.8–2.8 KB each: actor, client with
// geo and user agent, authenticationContext, debugContext.debugData (risk, behaviours, request ids, device
// fingerprint), request.ipChain, securityContext, targets and transaction.

const APPS = [
  ['Teleport', 'SAML_2_0'], ['AWS Account Federation', 'SAML_2_0'], ['Grafana', 'OPENID_CONNECT'], ['Salesforce', 'SAML_2_0'],
  ['GitHub Enterprise', 'SAML_2_0'], ['Slack', 'SAML_2_0'], ['Jira', 'SAML_2_0'], ['Google Workspace', 'SAML_2_0'],
] as const;

/** Clock sequence and node id of the Okta cells' UUID generators. */
const OKTA_CELLS = ['9dfb-397e073cfdba', 'baf9-91a1c5f8627c', '80e9-f800a1b4c4a8', 'a1c3-0a1b2c3d4e5f'] as const;

const KINDS = [
  ['user.authentication.sso', 30], ['user.authentication.auth_via_mfa', 18], ['policy.evaluate_sign_on', 15],
  ['user.session.start', 15], ['system.push.send_factor_verify_push', 8], ['user.session.end', 8],
  ['user.authentication.verify', 4], ['user.mfa.okta_verify.deny_push', 1], ['group.user_membership.add', 1],
] as const;

const DISPLAY: Record<string, string> = {
  'user.authentication.sso': 'User single sign on to app',
  'user.authentication.auth_via_mfa': 'Authentication of user via MFA',
  'policy.evaluate_sign_on': 'Evaluation of sign-on policy',
  'user.session.start': 'User login to Okta',
  'system.push.send_factor_verify_push': 'Send Okta Verify push notification',
  'user.session.end': 'User logout from Okta',
  'user.authentication.verify': 'Verify user identity',
  'user.mfa.okta_verify.deny_push': 'User rejected Okta push verify',
  'group.user_membership.add': 'Add user to group membership',
};

function userTarget(p: Person): Record<string, unknown> {
  return { alternateId: p.email, detailEntry: null, displayName: p.display, id: p.oktaId, type: 'User' };
}

/** One Okta LogEvent for `p` at `ms`. */
export function oktaEvent(w: World, p: Person, ms: number): Record<string, unknown> {
  const { rng } = w;
  const type = rng.weighted(KINDS);
  const ip = rng.pick(p.ips);
  const geo = { city: p.city.city, country: p.city.country, geolocation: { lat: p.city.lat, lon: p.city.lon }, postalCode: p.city.postal, state: p.city.state };
  const requestId = rng.chars(27, ALNUM);
  const failed = type === 'user.mfa.okta_verify.deny_push' || (type === 'user.authentication.auth_via_mfa' && rng.next() < 0.04);
  const app = rng.pick(APPS);
  let target: Record<string, unknown>[] = [userTarget(p)];
  let uri = '/api/v1/authn';
  const debug: Record<string, unknown> = {};
  if (type === 'user.authentication.sso') {
    target = [
      { alternateId: app[0], detailEntry: { signOnModeType: app[1] }, displayName: app[0], id: `0oa${rng.chars(17, ALNUM)}`, type: 'AppInstance' },
      { alternateId: p.email, detailEntry: null, displayName: p.display, id: `0ua${rng.chars(17, ALNUM)}`, type: 'AppUser' },
    ];
    uri = `/app/${app[0].toLowerCase().replace(/ /g, '_')}/exk${rng.chars(8, ALNUM)}/sso/saml`;
  } else if (type === 'policy.evaluate_sign_on') {
    target = [
      { alternateId: 'unknown', detailEntry: { policyType: 'OktaSignOn' }, displayName: 'Default Policy', id: '00p9dfltp0LiCy0x4x7x', type: 'PolicyEntity' },
      { alternateId: '00p9dfltp0LiCy0x4x7x', detailEntry: null, displayName: 'Require MFA - all users', id: '0pr9ATzC9wKAo9cRHb3A', type: 'PolicyRule' },
    ];
  } else if (type === 'user.authentication.auth_via_mfa' || type === 'user.authentication.verify' || type === 'system.push.send_factor_verify_push' || type === 'user.mfa.okta_verify.deny_push') {
    debug.factor = type === 'user.authentication.auth_via_mfa' || type === 'user.authentication.verify' ? p.factor : 'OKTA_VERIFY_PUSH';
    uri = `/api/v1/authn/factors/opf${rng.chars(10, ALNUM)}/verify`;
  } else if (type === 'group.user_membership.add') {
    target = [userTarget(p), { alternateId: 'unknown', detailEntry: null, displayName: rng.pick(['Engineering', 'SRE', 'Sales', 'prod-admins']), id: `00g${rng.chars(17, ALNUM)}`, type: 'UserGroup' }];
  }
  const behaviors = `{New Geo-Location=NEGATIVE, New Device=${rng.next() < 0.05 ? 'POSITIVE' : 'NEGATIVE'}, New IP=NEGATIVE, New State=NEGATIVE, New Country=NEGATIVE, Velocity=NEGATIVE, New City=NEGATIVE}`;
  const risk = `{reasons=Anomalous Device, level=${rng.weighted([['LOW', 90], ['MEDIUM', 8], ['HIGH', 2]] as const)}}`;
  return {
    actor: { alternateId: p.email, detailEntry: null, displayName: p.display, id: p.oktaId, type: 'User' },
    authenticationContext: {
      authenticationProvider: type === 'user.authentication.auth_via_mfa' ? 'FACTOR_PROVIDER' : null,
      authenticationStep: 0,
      credentialProvider: type === 'user.authentication.auth_via_mfa' ? 'OKTA_CREDENTIAL_PROVIDER' : null,
      credentialType: null,
      externalSessionId: w.session(p, 'okta', () => `102${rng.chars(22, ALNUM)}`),
      interface: null,
      issuer: null,
      rootSessionId: `idx${rng.chars(22, ALNUM)}`,
    },
    client: {
      device: 'Computer', geographicalContext: geo, id: null, ipAddress: ip,
      userAgent: { browser: p.agent.includes('Firefox') ? 'FIREFOX' : 'CHROME', os: p.agent.includes('Mac') ? 'Mac OS X' : 'Windows', rawUserAgent: p.agent },
      zone: 'null',
    },
    debugContext: {
      debugData: {
        ...debug,
        authnRequestId: rng.chars(27, ALNUM),
        behaviors,
        deviceFingerprint: rng.chars(32, HEX),
        dtHash: rng.chars(64, HEX),
        logOnlySecurityData: `{"risk":${JSON.stringify(risk)},"behaviors":${JSON.stringify(behaviors)}}`,
        requestId,
        requestUri: uri,
        risk,
        threatSuspected: 'false',
        url: `${uri}?`,
      },
    },
    device: null,
    displayMessage: DISPLAY[type],
    eventType: type,
    legacyEventType: type === 'user.authentication.auth_via_mfa' ? 'core.user.factor.attempt_success' : null,
    outcome: failed ? { reason: type === 'user.mfa.okta_verify.deny_push' ? 'User rejected Okta Verify push' : 'INVALID_CREDENTIALS', result: failed && type !== 'user.mfa.okta_verify.deny_push' ? 'FAILURE' : 'DENY' }
      : type === 'policy.evaluate_sign_on' ? { reason: 'Sign-on policy evaluation resulted in CHALLENGE', result: 'CHALLENGE' } : { reason: null, result: 'SUCCESS' },
    published: new Date(ms).toISOString(),
    request: { ipChain: [{ geographicalContext: geo, ip, source: null, version: 'V4' }] },
    securityContext: { asNumber: 64496, asOrg: 'example-isp', domain: 'example-isp.example', isProxy: false, isp: 'example-isp' },
    severity: failed ? 'WARN' : 'INFO',
    target,
    transaction: { detail: {}, id: requestId, type: 'WEB' },
    // Okta uuids are time-based (version 1): the time fields lead, node id and clock sequence are fixed per cell.
    uuid: `${rng.chars(8, HEX)}-${rng.chars(4, HEX)}-11ef-${rng.pick(OKTA_CELLS)}`,
    version: '0',
  };
}
