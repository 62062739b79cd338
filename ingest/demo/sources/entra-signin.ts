/**
 * Microsoft Entra ID sign-ins as Graph beta `signIn` resources (formats/entra-id.md): interactive user
 * sign-ins with one `authenticationDetails` row per step, non-interactive token refreshes ("Previously
 * satisfied"), failures (50126, 500121, 53003, 50057) and service-principal sign-ins.
 */
import { INFRA, type Person } from '../org.ts';
import { geoOf, isOffice } from '../net.ts';
import { ALPHABET, type Rng } from '../prng.ts';
import { isoSec } from '../time-format.ts';
import { secs, type World } from '../world.ts';

/** Client application and the resource (API) it asked a token for. */
export interface EntraApp { readonly app: string; readonly app_id: string; readonly resource: string; readonly resource_id: string }

/** First-party Microsoft applications used in the demo tenant (public, well-known app ids). */
export const ENTRA_APPS = {
  office: { app: 'Microsoft Office', app_id: '4765445b-32c6-49b0-83e6-1d93765276ca', resource: 'Office 365 Exchange Online', resource_id: '00000002-0000-0ff1-ce00-000000000000' },
  teams: { app: 'Microsoft Teams', app_id: '1fec8e78-bce4-4aaf-ab1b-5451cc387264', resource: 'Microsoft Teams Services', resource_id: 'cc15fd57-2c6c-4117-a88c-83b1d56b4bbe' },
  portal: { app: 'Azure Portal', app_id: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c', resource: 'Windows Azure Service Management API', resource_id: '797f4846-ba00-4fd7-ba43-dac1f8f63013' },
  cli: { app: 'Microsoft Azure CLI', app_id: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', resource: 'Windows Azure Service Management API', resource_id: '797f4846-ba00-4fd7-ba43-dac1f8f63013' },
} as const satisfies Record<string, EntraApp>;

/** One `authenticationDetails` row. */
interface Step { readonly method: string; readonly detail: string | null; readonly ok: boolean; readonly result: string; readonly requirement: string }

/** Outcome of a sign-in attempt. */
export type EntraOutcome = 'success' | 'bad_password' | 'mfa_denied' | 'ca_block' | 'disabled';

const STATUS: Record<EntraOutcome, { errorCode: number; failureReason: string | null; additionalDetails: string | null }> = {
  success: { errorCode: 0, failureReason: null, additionalDetails: null },
  bad_password: { errorCode: 50126, failureReason: 'Error validating credentials due to invalid username or password.', additionalDetails: "The user didn't enter the right credentials. It's expected to see some number of these errors in your logs due to users making mistakes." },
  mfa_denied: { errorCode: 500121, failureReason: 'Authentication failed during strong authentication request.', additionalDetails: "The user didn't complete the MFA prompt. They may have decided not to authenticate, timed out while doing other work, or has an issue with their authentication setup." },
  ca_block: { errorCode: 53003, failureReason: 'Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.', additionalDetails: null },
  disabled: { errorCode: 50057, failureReason: 'User account is disabled. The account has been disabled by an administrator.', additionalDetails: null },
};

function password(ok: boolean): Step {
  return { method: 'Password', detail: 'Password in the cloud', ok, result: ok ? 'Correct password' : 'Invalid username or password or Invalid on-premise username or password.', requirement: 'Primary authentication' };
}

/** The steps a person's usual method produces; `mfaOk=false` makes the second factor fail. */
function stepsOf(p: Person, outcome: EntraOutcome): { steps: Step[]; multi: boolean } {
  if (outcome === 'bad_password') return { steps: [password(false)], multi: false };
  if (outcome === 'disabled') return { steps: [], multi: false };
  const mfa = (method: string, detail: string | null): Step => ({
    method, detail, ok: outcome !== 'mfa_denied',
    result: outcome === 'mfa_denied' ? 'MFA denied; user declined the authentication' : 'MFA successfully completed', requirement: 'Multifactor authentication',
  });
  const single = (method: string, detail: string | null): Step => ({ method, detail, ok: true, result: 'Sign-in succeeded', requirement: 'Primary authentication' });
  if (p.team === 'security') return { steps: [single('X.509 Certificate', `CN=${p.email}`)], multi: true };
  switch (p.factor) {
    case 'security_key': return { steps: [single('FIDO2 security key', 'YubiKey 5 NFC')], multi: true };
    case 'platform':
    case 'fastpass': return { steps: [p.os === 'windows' ? single('Windows Hello for Business', null) : single('Passkey (device-bound)', 'iCloud Keychain')], multi: true };
    case 'push_number_match': return { steps: [single('Passwordless phone sign-in', p.duo_phone.split(' (')[0] ?? null)], multi: true };
    case 'push': return { steps: [password(true), mfa('Mobile app notification', p.duo_phone.split(' (')[0] ?? null)], multi: true };
    case 'totp': return { steps: [password(true), mfa('OATH verification code', 'Microsoft Authenticator')], multi: true };
    case 'sms': return { steps: [password(true), mfa('Text message', `+X XXXXXXXX${String(p.uid).slice(-2)}`)], multi: true };
    default: return { steps: [password(true)], multi: false };
  }
}

function caPolicies(p: Person, outcome: EntraOutcome): { status: string; policies: unknown[] } {
  if (p.team === 'breakglass') return { status: 'notApplied', policies: [] };
  const admin = p.team === 'sre' || p.team === 'security';
  const mfaRequired = p.factor !== 'password';
  const contractorBlocked = outcome === 'ca_block';
  const policy = (id: string, name: string, grant: string[], result: string, strength: unknown) => ({
    id, displayName: name, enforcedGrantControls: grant, enforcedSessionControls: [], sessionControlsNotSatisfied: [], result,
    conditionsSatisfied: result === 'notApplied' ? 'application' : 'application,users', conditionsNotSatisfied: result === 'notApplied' ? 'users' : 'none',
    authenticationStrength: strength, includeRulesSatisfied: result === 'notApplied' ? [] : [{ conditionalAccessCondition: 'application', ruleSatisfied: 'allApps' }, { conditionalAccessCondition: 'users', ruleSatisfied: 'groupId' }], excludeRulesSatisfied: [],
  });
  const policies = [
    policy('5d1c8a0e-41b7-4c2e-9a3f-6e2d1b0c9f01', 'CA001 Admins - phishing-resistant MFA', [], admin ? 'success' : 'notApplied', { displayName: 'Phishing-resistant MFA', authenticationStrengthId: '00000000-0000-0000-0000-000000000004' }),
    policy('7e2f9b1c-52c8-4d3f-8b4a-7f3e2c1d0a02', 'CA002 All users - require MFA', ['Mfa'], mfaRequired ? 'success' : 'notApplied', null),
    policy('9f3a0c2d-63d9-4e4a-9c5b-8a4f3d2e1b03', 'CA003 Contractors - block untrusted locations', ['Block'], contractorBlocked ? 'failure' : 'notApplied', null),
  ];
  return { status: contractorBlocked ? 'failure' : admin || mfaRequired ? 'success' : 'notApplied', policies };
}

/** Options for one user sign-in. */
export interface EntraSignInOpts {
  readonly app: EntraApp;
  readonly ip: string;
  readonly outcome?: EntraOutcome;
  /** A token refresh reusing an earlier MFA (non-interactive). */
  readonly refresh?: boolean;
  readonly sessionId?: string;
}

function deviceOf(p: Person): Record<string, unknown> {
  const os = p.os === 'mac' ? 'MacOs' : p.os === 'windows' ? 'Windows10' : 'Linux';
  const browser = p.os === 'linux' ? 'Firefox 135.0' : p.os === 'windows' ? 'Edge 133.0.0' : 'Chrome 133.0.0';
  const managed = p.os === 'windows' && p.team !== 'contractor';
  return { deviceId: managed ? `d${p.entra_id.slice(1)}` : '', displayName: managed ? `FJL-${p.login.toUpperCase()}-01` : '', operatingSystem: os, browser, isCompliant: managed, isManaged: managed, trustType: managed ? 'Azure AD joined' : '' };
}

/** Emits one user sign-in; returns the session id (to chain refreshes). */
export function entraSignIn(w: World, rng: Rng, p: Person, t: number, o: EntraSignInOpts): string {
  const outcome = o.outcome ?? 'success';
  const id = rng.uuid();
  const sessionId = o.sessionId ?? rng.uuid();
  const g = geoOf(o.ip);
  const { steps, multi } = o.refresh
    ? { steps: [
        { method: 'Previously satisfied', detail: null, ok: true, result: 'First factor requirement satisfied by claim in the token', requirement: 'Primary authentication' },
        ...(p.factor === 'password' ? [] : [{ method: 'Previously satisfied', detail: null, ok: true, result: 'MFA requirement satisfied by claim in the token', requirement: 'Multifactor authentication' }]),
      ], multi: p.factor !== 'password' }
    : stepsOf(p, outcome);
  const ca = outcome === 'bad_password' || outcome === 'disabled' ? { status: 'notApplied', policies: [] } : caPolicies(p, outcome);
  let stepTime = t - (steps.length - 1) * secs(rng, 4, 9);
  const status = { ...STATUS[outcome] };
  if (outcome === 'success' && o.refresh && multi) status.additionalDetails = 'MFA requirement satisfied by claim in the token';
  else if (outcome === 'success' && steps.length > 1) status.additionalDetails = 'MFA completed in Azure AD';
  w.emit('entra', t, {
    id, createdDateTime: isoSec(t), userDisplayName: p.display, userPrincipalName: p.email, userId: p.entra_id,
    appId: o.app.app_id, appDisplayName: o.app.app, ipAddress: o.ip, ipAddressFromResourceProvider: null,
    clientAppUsed: o.refresh ? 'Mobile Apps and Desktop clients' : 'Browser', userAgent: p.user_agent,
    correlationId: rng.uuid(), conditionalAccessStatus: ca.status, originalRequestId: o.refresh ? '' : id, isInteractive: !o.refresh,
    tokenIssuerName: '', tokenIssuerType: 'AzureAD', clientCredentialType: 'none', processingTimeInMilliseconds: rng.int(60, 420),
    riskDetail: 'none', riskLevelAggregated: 'none', riskLevelDuringSignIn: 'none', riskState: 'none', riskEventTypes_v2: [],
    resourceDisplayName: o.app.resource, resourceId: o.app.resource_id, resourceTenantId: INFRA.entra_tenant, homeTenantId: INFRA.entra_tenant, homeTenantName: '',
    authenticationMethodsUsed: [], authenticationRequirement: multi ? 'multiFactorAuthentication' : 'singleFactorAuthentication',
    signInIdentifier: p.email, signInIdentifierType: 'userPrincipalName', servicePrincipalName: null,
    signInEventTypes: [o.refresh ? 'nonInteractiveUser' : 'interactiveUser'], servicePrincipalId: '', federatedCredentialId: null,
    userType: 'member', flaggedForReview: false, isTenantRestricted: false, autonomousSystemNumber: g.asn, crossTenantAccessType: 'none',
    servicePrincipalCredentialKeyId: null, servicePrincipalCredentialThumbprint: '', uniqueTokenIdentifier: rng.chars(22, ALPHABET.alnum),
    incomingTokenType: o.refresh ? (p.os === 'windows' ? 'primaryRefreshToken' : 'refreshToken') : 'none', authenticationProtocol: 'none',
    resourceServicePrincipalId: rng.uuid(), sessionId, signInTokenProtectionStatus: 'none', originalTransferMethod: 'none',
    isThroughGlobalSecureAccess: false, globalSecureAccessIpAddress: '', mfaDetail: null,
    status,
    deviceDetail: deviceOf(p),
    location: { city: g.city, state: g.state, countryOrRegion: g.country_code, geoCoordinates: { altitude: null, latitude: g.lat, longitude: g.lon } },
    appliedConditionalAccessPolicies: ca.policies,
    authenticationContextClassReferences: [],
    authenticationProcessingDetails: [{ key: 'Root Key Type', value: 'Unknown' }],
    networkLocationDetails: isOffice(o.ip) ? [{ networkType: 'trustedNamedLocation', networkNames: ['Berlin office'] }] : [],
    authenticationDetails: steps.map((s) => {
      const row = { authenticationStepDateTime: isoSec(stepTime), authenticationMethod: s.method, authenticationMethodDetail: s.detail, succeeded: s.ok, authenticationStepResultDetail: s.result, authenticationStepRequirement: s.requirement };
      stepTime += secs(rng, 4, 9);
      return row;
    }),
    authenticationRequirementPolicies: multi ? [{ requirementProvider: 'multiConditionalAccess', detail: 'Conditional Access' }] : [],
    sessionLifetimePolicies: [], appliedEventListeners: [], authenticationAppPolicyEvaluationDetails: [],
    managedServiceIdentity: { msiType: 'none', associatedResourceId: null, federatedTokenId: null, federatedTokenIssuer: null },
    conditionalAccessAudiences: [],
  });
  return sessionId;
}

/** A service principal (client credentials) sign-in, e.g. the CI deployer calling ARM. */
export function entraServicePrincipalSignIn(w: World, rng: Rng, t: number, sp: { name: string; appId: string; objectId: string; keyId: string; thumbprint: string }, ip: string): void {
  w.emit('entra', t, {
    id: rng.uuid(), createdDateTime: isoSec(t), userDisplayName: null, userPrincipalName: null, userId: '00000000-0000-0000-0000-000000000000',
    appId: sp.appId, appDisplayName: sp.name, ipAddress: ip, ipAddressFromResourceProvider: null, clientAppUsed: '', userAgent: '',
    correlationId: rng.uuid(), conditionalAccessStatus: 'notApplied', originalRequestId: '', isInteractive: false, tokenIssuerName: '', tokenIssuerType: 'AzureAD',
    clientCredentialType: 'certificate', processingTimeInMilliseconds: rng.int(90, 260), riskDetail: 'none', riskLevelAggregated: 'none', riskLevelDuringSignIn: 'none', riskState: 'none', riskEventTypes_v2: [],
    resourceDisplayName: ENTRA_APPS.portal.resource, resourceId: ENTRA_APPS.portal.resource_id, resourceTenantId: INFRA.entra_tenant, homeTenantId: INFRA.entra_tenant, homeTenantName: '',
    authenticationMethodsUsed: [], authenticationRequirement: 'singleFactorAuthentication', signInIdentifier: '', signInIdentifierType: null,
    servicePrincipalName: sp.name, signInEventTypes: ['servicePrincipal'], servicePrincipalId: sp.objectId, federatedCredentialId: null, userType: '',
    flaggedForReview: false, isTenantRestricted: false, autonomousSystemNumber: null, crossTenantAccessType: 'none',
    servicePrincipalCredentialKeyId: sp.keyId, servicePrincipalCredentialThumbprint: sp.thumbprint, uniqueTokenIdentifier: rng.chars(22, ALPHABET.alnum),
    incomingTokenType: 'none', authenticationProtocol: 'none', resourceServicePrincipalId: rng.uuid(), sessionId: null, signInTokenProtectionStatus: 'none',
    originalTransferMethod: 'none', isThroughGlobalSecureAccess: false, globalSecureAccessIpAddress: '', mfaDetail: null,
    status: { errorCode: 0, failureReason: null, additionalDetails: null },
    deviceDetail: { deviceId: '', displayName: '', operatingSystem: '', browser: '', isCompliant: false, isManaged: false, trustType: '' },
    location: { city: '', state: '', countryOrRegion: '', geoCoordinates: { altitude: null, latitude: null, longitude: null } },
    appliedConditionalAccessPolicies: [], authenticationContextClassReferences: [], authenticationProcessingDetails: [{ key: 'Root Key Type', value: 'Unknown' }],
    networkLocationDetails: [], authenticationDetails: [], authenticationRequirementPolicies: [], sessionLifetimePolicies: [], appliedEventListeners: [],
    authenticationAppPolicyEvaluationDetails: [], managedServiceIdentity: { msiType: 'none', associatedResourceId: null, federatedTokenId: null, federatedTokenIssuer: null },
    conditionalAccessAudiences: [],
  });
}
