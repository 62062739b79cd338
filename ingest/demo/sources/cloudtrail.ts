/**
 * AWS CloudTrail records (formats/aws-cloudtrail.md), one per line as unwrapped from the trail's S3
 * objects: identities, console sign-ins, STS session issuance and generic API calls.
 */
import { INFRA, type Person } from '../org.ts';
import { ALPHABET, type Rng } from '../prng.ts';
import { awsExpiration, isoSec } from '../time-format.ts';
import type { World } from '../world.ts';

const ACCT = INFRA.aws_account;
const CONSOLE_LOGIN_TO = 'https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_9c2d4e6f8a0b1c2d';
/** User agents of API clients. */
export const AWS_UA = {
  console: 'AWS Internal',
  cli: (cmd: string, os = 'macos#24.3.0'): string => `aws-cli/2.22.10 md/awscrt#0.23.4 ua/2.0 os/${os} md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#${cmd}`,
  saml: 'aws-internal/3 aws-sdk-java/1.12.780 Linux/5.10 OpenJDK_64-Bit_Server_VM/25.432-b06 java/1.8.0_432 vendor/Oracle_Corporation cfg/retry-mode/standard',
  terraform: 'APN/1.0 HashiCorp/1.0 Terraform/1.10.3 (+https://www.terraform.io) terraform-provider-aws/5.82.2 aws-sdk-go-v2/1.32.7 os/linux lang/go#1.23.4',
} as const;

/** Role ids (`AROA…`) are stable per role. */
export const ROLE_IDS: Readonly<Record<string, string>> = {
  'OktaSRE-Admin': 'AROA4FJLSREADM1N7QZKX', 'OktaDBA-PowerUser': 'AROA4FJLDBAPWR5U2HMVB', 'OktaSecurity-Admin': 'AROA4FJLSECADM9N3TRWC',
  'OktaDev-ReadOnly': 'AROA4FJLDEVR3AD0NLY6D', 'OktaContractor-ReadOnly': 'AROA4FJLC0NTRACT0R8YE', 'ci-deploy': 'AROA4FJLC1DEPL0Y2PQ3F',
  'payments-api-instance': 'AROA4FJLPAYAP1INST4NG',
};

/** `userIdentity` blocks. */
export const awsId = {
  root: (akid = ''): Record<string, unknown> => ({ type: 'Root', principalId: ACCT, arn: `arn:aws:iam::${ACCT}:root`, accountId: ACCT, accessKeyId: akid }),
  iamUser: (name: string, principal: string, akid?: string, session?: { created: number; mfa: boolean }): Record<string, unknown> => ({
    type: 'IAMUser', principalId: principal, arn: `arn:aws:iam::${ACCT}:user/${name}`, accountId: ACCT, ...(akid ? { accessKeyId: akid } : {}), userName: name,
    ...(session ? { sessionContext: { attributes: { creationDate: isoSec(session.created), mfaAuthenticated: String(session.mfa) } } } : {}),
  }),
  assumedRole: (role: string, sessionName: string, akid: string, created: number, mfa = false): Record<string, unknown> => ({
    type: 'AssumedRole', principalId: `${ROLE_IDS[role] ?? 'AROAUNKNOWN'}:${sessionName}`, arn: `arn:aws:sts::${ACCT}:assumed-role/${role}/${sessionName}`, accountId: ACCT, accessKeyId: akid,
    sessionContext: { sessionIssuer: { type: 'Role', principalId: ROLE_IDS[role] ?? 'AROAUNKNOWN', arn: `arn:aws:iam::${ACCT}:role/${role}`, accountId: ACCT, userName: role }, attributes: { creationDate: isoSec(created), mfaAuthenticated: String(mfa) } },
  }),
  samlUser: (w: World, p: Person): Record<string, unknown> => ({ type: 'SAMLUser', principalId: `${w.org.svc.saml_name_qualifier}:${p.email}`, userName: p.email, identityProvider: w.org.svc.saml_name_qualifier }),
  federated: (name: string, issuer: { name: string; principal: string }, akid: string, created: number): Record<string, unknown> => ({
    type: 'FederatedUser', principalId: `${ACCT}:${name}`, arn: `arn:aws:sts::${ACCT}:federated-user/${name}`, accountId: ACCT, accessKeyId: akid,
    sessionContext: { sessionIssuer: { type: 'IAMUser', principalId: issuer.principal, arn: `arn:aws:iam::${ACCT}:user/${issuer.name}`, accountId: ACCT, userName: issuer.name }, attributes: { creationDate: isoSec(created), mfaAuthenticated: 'false' } },
  }),
  service: (invokedBy: string): Record<string, unknown> => ({ type: 'AWSService', invokedBy }),
};

/** A temporary access key id. */
export function stsKey(rng: Rng): string {
  return `ASIA${rng.chars(16, ALPHABET.base32)}`;
}

/** The variable part of a record. */
export interface CtCall {
  readonly identity: Record<string, unknown>;
  readonly source: string;
  readonly name: string;
  readonly ip: string;
  readonly ua: string;
  readonly region?: string;
  readonly readOnly?: boolean;
  readonly request?: unknown;
  readonly response?: unknown;
  readonly additional?: Record<string, string>;
  readonly error?: { code: string; message: string };
  readonly eventType?: 'AwsApiCall' | 'AwsConsoleSignIn';
  readonly vpce?: string;
}

/** Emits one CloudTrail record. */
export function ctEmit(w: World, rng: Rng, t: number, c: CtCall): void {
  const signin = c.eventType === 'AwsConsoleSignIn';
  const host = c.source.replace('.amazonaws.com', '');
  const region = c.region ?? (c.source === 'iam.amazonaws.com' || signin ? 'us-east-1' : 'eu-central-1');
  w.emit('cloudtrail', t, {
    eventVersion: signin ? '1.09' : '1.10', userIdentity: c.identity, eventTime: isoSec(t), eventSource: c.source, eventName: c.name,
    awsRegion: region, sourceIPAddress: c.ip, userAgent: c.ua,
    ...(c.error ? { ...(c.error.code ? { errorCode: c.error.code } : {}), errorMessage: c.error.message } : {}),
    requestParameters: c.request ?? null, responseElements: c.response ?? null,
    ...(c.additional ? { additionalEventData: c.additional } : {}),
    requestID: rng.uuid(), eventID: rng.uuid(),
    ...(signin ? {} : { readOnly: c.readOnly ?? false }),
    eventType: c.eventType ?? 'AwsApiCall', managementEvent: true, recipientAccountId: ACCT,
    ...(c.vpce ? { vpcEndpointId: c.vpce, vpcEndpointAccountId: ACCT } : {}),
    eventCategory: 'Management',
    ...(signin ? {} : { tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `${host}${host === 'iam' || host === 'sts' ? '' : `.${region}`}.amazonaws.com` } }),
  });
}

/** `AssumeRoleWithSAML` from the Okta AWS app: session name = email. Returns the new key. */
export function ctAssumeRoleWithSaml(w: World, rng: Rng, p: Person, role: string, t: number, ip: string, hours = 1): string {
  const akid = stsKey(rng);
  const q = w.org.svc.saml_name_qualifier;
  ctEmit(w, rng, t, {
    identity: awsId.samlUser(w, p), source: 'sts.amazonaws.com', name: 'AssumeRoleWithSAML', ip, ua: AWS_UA.saml, readOnly: true,
    request: { sAMLAssertionID: `id${rng.chars(24, ALPHABET.hex)}`, roleSessionName: p.email, durationSeconds: hours * 3600, roleArn: `arn:aws:iam::${ACCT}:role/${role}`, principalArn: `arn:aws:iam::${ACCT}:saml-provider/${INFRA.saml_provider}` },
    response: {
      credentials: { accessKeyId: akid, expiration: awsExpiration(t + hours * 3_600_000) },
      assumedRoleUser: { assumedRoleId: `${ROLE_IDS[role] ?? 'AROAUNKNOWN'}:${p.email}`, arn: `arn:aws:sts::${ACCT}:assumed-role/${role}/${p.email}` },
      packedPolicySize: 3, subject: p.email, subjectType: 'unspecified', issuer: `http://www.okta.com/${w.org.svc.okta_aws_app}`, audience: 'https://signin.aws.amazon.com/saml', nameQualifier: q,
    },
  });
  return akid;
}

/** Console sign-in of a federated role session (`MFAUsed=No` although Okta did MFA). */
export function ctFederatedConsoleLogin(w: World, rng: Rng, p: Person, role: string, akid: string, created: number, t: number, ip: string): void {
  ctEmit(w, rng, t, {
    identity: awsId.assumedRole(role, p.email, akid, created), source: 'signin.amazonaws.com', name: 'ConsoleLogin', ip, ua: p.user_agent, eventType: 'AwsConsoleSignIn',
    response: { ConsoleLogin: 'Success' }, additional: { LoginTo: CONSOLE_LOGIN_TO, MobileVersion: 'No', MFAUsed: 'No', SamlProviderArn: `arn:aws:iam::${ACCT}:saml-provider/${INFRA.saml_provider}` },
  });
}

/** Console sign-in of an IAM user or root; `mfa` is the MFA device ARN when one was used. */
export function ctConsoleLogin(
  w: World, rng: Rng, t: number,
  o: { identity: Record<string, unknown>; ip: string; ua: string; mfa?: string; failed?: boolean },
): void {
  ctEmit(w, rng, t, {
    identity: o.identity, source: 'signin.amazonaws.com', name: 'ConsoleLogin', ip: o.ip, ua: o.ua, eventType: 'AwsConsoleSignIn',
    ...(o.failed ? { error: { code: '', message: 'Failed authentication' } } : {}),
    response: { ConsoleLogin: o.failed ? 'Failure' : 'Success' },
    additional: { LoginTo: CONSOLE_LOGIN_TO, MobileVersion: 'No', ...(o.mfa ? { MFAIdentifier: o.mfa, MFAUsed: 'Yes' } : { MFAUsed: 'No' }) },
  });
}
