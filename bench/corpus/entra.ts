import { createHash } from 'node:crypto';
import { ALNUM, type Person, type World } from './world.ts';

// Entra ID sign-ins (Microsoft Graph beta `signIn` resources, shared/formats/entra-id.md), 3.5–5 KB each:
// identity, app and resource, device, location, status, authentication steps, the applied Conditional Access
// policies and the many bookkeeping fields Graph returns.

const TENANT = '5f1d2c3b-8a4e-4b6f-9c7d-2e1f0a9b8c71';
const APPS = [
  ['c44b4083-3bb0-49c1-b47d-974e53cbdf3c', 'Azure Portal', 'Windows Azure Service Management API', '797f4846-ba00-4fd7-ba43-dac1f8f63013'],
  ['00000002-0000-0ff1-ce00-000000000000', 'Office 365 Exchange Online', 'Office 365 Exchange Online', '00000002-0000-0ff1-ce00-000000000000'],
  ['1fec8e78-bce4-4aaf-ab1b-5451cc387264', 'Microsoft Teams', 'Microsoft Teams Services', 'cc15fd57-2c6c-4117-a88c-83b1d56b4bbe'],
  ['04b07795-8ddb-461a-bbee-02f9e1bf7b46', 'Microsoft Azure CLI', 'Windows Azure Service Management API', '797f4846-ba00-4fd7-ba43-dac1f8f63013'],
] as const;

/** [steps, authenticationRequirement, status code] of the sign-in shapes and their weights. */
const SHAPES = [
  [[['Password', true], ['Mobile app notification', true]], 'multiFactorAuthentication', 0, 30],
  [[['FIDO2 security key', true]], 'multiFactorAuthentication', 0, 15],
  [[['Windows Hello for Business', true]], 'multiFactorAuthentication', 0, 15],
  [[['Previously satisfied', true]], 'multiFactorAuthentication', 0, 20],
  [[['Password', true], ['OATH verification code', true]], 'multiFactorAuthentication', 0, 8],
  [[['Password', true]], 'singleFactorAuthentication', 0, 6],
  [[['Password', false]], 'singleFactorAuthentication', 50126, 4],
  [[['Password', true], ['Mobile app notification', false]], 'multiFactorAuthentication', 500121, 2],
] as const;

const FAILURES: Record<number, string> = {
  50126: 'Error validating credentials due to invalid username or password.',
  500121: 'Authentication failed during strong authentication request.',
};

function policy(w: World, name: string, result: string, controls: string[]): Record<string, unknown> {
  return {
    id: w.rng.uuid(), displayName: name, enforcedGrantControls: controls, enforcedSessionControls: [], sessionControlsNotSatisfied: [],
    result, conditionsSatisfied: 'application,users', conditionsNotSatisfied: 'none', authenticationStrength: null,
    includeRulesSatisfied: [{ conditionalAccessCondition: 'application', ruleSatisfied: 'allApps' }, { conditionalAccessCondition: 'users', ruleSatisfied: 'groupId' }],
    excludeRulesSatisfied: [],
  };
}

/** The person's laptop: one device id per person (a fresh id per sign-in would inflate storage figures). */
function deviceIdOf(p: Person): string {
  const h = createHash('sha256').update(`device:${p.entraId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** One Graph signIn for `p` at `ms`. */
export function entraSignIn(w: World, p: Person, ms: number): Record<string, unknown> {
  const { rng } = w;
  const [steps, requirement, code] = rng.weighted(SHAPES.map((s) => [s, s[3]] as const));
  const app = rng.pick(APPS);
  const id = rng.uuid();
  const time = `${new Date(ms).toISOString().slice(0, 19)}Z`;
  const interactive = steps[0]?.[0] !== 'Previously satisfied';
  return {
    id,
    createdDateTime: time,
    userDisplayName: p.display,
    userPrincipalName: p.email,
    userId: p.entraId,
    appId: app[0],
    appDisplayName: app[1],
    ipAddress: rng.pick(p.ips),
    ipAddressFromResourceProvider: null,
    clientAppUsed: 'Browser',
    userAgent: p.agent,
    correlationId: w.session(p, 'entra-correlation', () => rng.uuid()),
    conditionalAccessStatus: code === 0 ? 'success' : 'notApplied',
    originalRequestId: id,
    isInteractive: interactive,
    tokenIssuerName: '',
    tokenIssuerType: 'AzureAD',
    clientCredentialType: 'none',
    processingTimeInMilliseconds: rng.int(40, 900),
    riskDetail: 'none', riskLevelAggregated: 'none', riskLevelDuringSignIn: 'none', riskState: 'none', riskEventTypes_v2: [],
    resourceDisplayName: app[2],
    resourceId: app[3],
    resourceTenantId: TENANT,
    homeTenantId: TENANT,
    homeTenantName: '',
    authenticationMethodsUsed: [],
    authenticationRequirement: requirement,
    signInIdentifier: p.email,
    signInIdentifierType: 'userPrincipalName',
    servicePrincipalName: null,
    signInEventTypes: [interactive ? 'interactiveUser' : 'nonInteractiveUser'],
    servicePrincipalId: '',
    federatedCredentialId: null,
    userType: 'member',
    flaggedForReview: false,
    isTenantRestricted: false,
    autonomousSystemNumber: 64496,
    crossTenantAccessType: 'none',
    servicePrincipalCredentialKeyId: null,
    servicePrincipalCredentialThumbprint: '',
    uniqueTokenIdentifier: rng.chars(22, ALNUM),
    incomingTokenType: 'none',
    authenticationProtocol: 'none',
    resourceServicePrincipalId: rng.uuid(),
    sessionId: w.session(p, 'entra', () => rng.uuid()),
    signInTokenProtectionStatus: 'none',
    originalTransferMethod: 'none',
    isThroughGlobalSecureAccess: false,
    globalSecureAccessIpAddress: '',
    mfaDetail: null,
    status: { errorCode: code, failureReason: FAILURES[code] ?? null, additionalDetails: code === 0 && steps.length > 1 ? 'MFA completed in Azure AD' : null },
    deviceDetail: { deviceId: deviceIdOf(p), displayName: `${p.login.toUpperCase().slice(0, 8)}-LAPTOP`, operatingSystem: p.agent.includes('Mac') ? 'MacOs' : 'Windows10', browser: 'Chrome 133.0.0', isCompliant: true, isManaged: true, trustType: 'Azure AD registered' },
    location: { city: p.city.city, state: p.city.state, countryOrRegion: p.city.cc, geoCoordinates: { altitude: null, latitude: p.city.lat, longitude: p.city.lon } },
    appliedConditionalAccessPolicies: [
      policy(w, 'CA001 Admins - phishing-resistant MFA', 'notApplied', []),
      policy(w, 'CA002 All users - require MFA', code === 0 ? 'success' : 'failure', ['Mfa']),
    ],
    authenticationContextClassReferences: [],
    authenticationProcessingDetails: [{ key: 'Root Key Type', value: 'Unknown' }],
    networkLocationDetails: [{ networkType: 'trustedNamedLocation', networkNames: [`${p.city.city} office`] }],
    authenticationDetails: steps.map(([method, ok], i) => ({
      authenticationStepDateTime: time,
      authenticationMethod: method,
      authenticationMethodDetail: method === 'FIDO2 security key' ? 'YubiKey 5 NFC' : method === 'Password' ? 'Password in the cloud' : null,
      succeeded: ok,
      authenticationStepResultDetail: ok ? (i === 0 ? 'Correct password' : 'MFA successfully completed') : 'MFA denied; user did not respond',
      authenticationStepRequirement: i === 0 ? 'Primary authentication' : 'Multi-factor authentication',
    })),
    authenticationRequirementPolicies: [{ requirementProvider: 'multiConditionalAccess', detail: 'Conditional Access' }],
    sessionLifetimePolicies: [],
    appliedEventListeners: [],
    authenticationAppPolicyEvaluationDetails: [],
    managedServiceIdentity: { msiType: 'none', associatedResourceId: null, federatedTokenId: null, federatedTokenIssuer: null },
    conditionalAccessAudiences: [],
  };
}
