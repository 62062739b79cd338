import { ALNUM, UPPER_DIGITS, type Person, type World } from './world.ts';

// CloudTrail records (one record of an S3 log object or an EventBridge detail, shared/formats/aws-cloudtrail.md),
// 1.1–2.4 KB each: console sign-ins through the Okta SAML provider, STS issuance (AssumeRoleWithSAML, AssumeRole,
// GetSessionToken) with full credentials blocks, IAM writes and a share of read-only calls (dropped by default).

const ROLES = ['OktaSRE-Admin', 'OktaDev-ReadOnly', 'OktaData-Analyst', 'OktaDBA-Admin'] as const;
const KINDS = [
  ['ConsoleLogin', 25], ['AssumeRoleWithSAML', 22], ['AssumeRole', 18], ['GetSessionToken', 5], ['CreateAccessKey', 4],
  ['AttachRolePolicy', 3], ['UpdateLoginProfile', 3], ['DescribeInstances', 10], ['RunInstances', 10],
] as const;
const REGIONS = ['eu-central-1', 'us-east-1', 'eu-west-1'] as const;
const CLI_AGENT = 'aws-cli/2.22.10 md/awscrt#0.23.4 ua/2.0 os/macos#24.3.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off';

function tls(host: string): Record<string, unknown> {
  return { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: host };
}

function roleOf(p: Person): (typeof ROLES)[number] {
  return p.team === 'sre' ? 'OktaSRE-Admin' : p.team === 'dba' ? 'OktaDBA-Admin' : p.team === 'data' ? 'OktaData-Analyst' : 'OktaDev-ReadOnly';
}

function assumedRoleIdentity(w: World, p: Person, ms: number): Record<string, unknown> {
  const role = roleOf(p);
  const roleId = `AROA${role.length}${'Z'.repeat(4)}FXNTCYUFX55TN`;
  return {
    type: 'AssumedRole',
    principalId: `${roleId}:${p.email}`,
    arn: `arn:aws:sts::${w.account}:assumed-role/${role}/${p.email}`,
    accountId: w.account,
    accessKeyId: w.session(p, 'aws-key', () => `ASIA${w.rng.chars(16, UPPER_DIGITS)}`),
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: roleId, arn: `arn:aws:iam::${w.account}:role/${role}`, accountId: w.account, userName: role },
      attributes: { creationDate: `${new Date(ms - w.rng.int(10, 3000) * 1000).toISOString().slice(0, 19)}Z`, mfaAuthenticated: 'false' },
    },
  };
}

function credentials(w: World, ms: number): Record<string, unknown> {
  const exp = new Date(ms + 3600_000);
  return {
    accessKeyId: `ASIA${w.rng.chars(16, UPPER_DIGITS)}`,
    sessionToken: w.rng.chars(420, ALNUM),
    expiration: `${exp.toUTCString().slice(8, 11)} ${exp.getUTCDate()}, ${exp.getUTCFullYear()}, ${exp.getUTCHours() % 12 || 12}:${String(exp.getUTCMinutes()).padStart(2, '0')}:${String(exp.getUTCSeconds()).padStart(2, '0')} ${exp.getUTCHours() < 12 ? 'AM' : 'PM'}`,
  };
}

/** One CloudTrail record for `p` at `ms`. */
export function cloudtrailRecord(w: World, p: Person, ms: number): Record<string, unknown> {
  const { rng } = w;
  const name = rng.weighted(KINDS);
  const region = rng.pick(REGIONS);
  const ip = rng.pick(p.ips);
  const role = roleOf(p);
  const base = {
    eventVersion: '1.10',
    eventTime: `${new Date(ms).toISOString().slice(0, 19)}Z`,
    awsRegion: region,
    sourceIPAddress: ip,
    requestID: rng.uuid(),
    eventID: rng.uuid(),
    managementEvent: true,
    recipientAccountId: w.account,
    eventCategory: 'Management',
  };
  switch (name) {
    case 'ConsoleLogin':
      return {
        ...base, userIdentity: assumedRoleIdentity(w, p, ms), eventSource: 'signin.amazonaws.com', eventName: name, awsRegion: 'us-east-1',
        userAgent: p.agent, requestParameters: null, responseElements: { ConsoleLogin: rng.next() < 0.97 ? 'Success' : 'Failure' },
        additionalEventData: {
          LoginTo: `https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_${region}_${rng.chars(16, '0123456789abcdef')}`,
          MobileVersion: 'No', MFAUsed: 'No', SamlProviderArn: `arn:aws:iam::${w.account}:saml-provider/Okta`,
        },
        eventType: 'AwsConsoleSignIn',
      };
    case 'AssumeRoleWithSAML':
      return {
        ...base, userIdentity: { type: 'SAMLUser', principalId: `F80aVTZAqa38T7HxjIhaxbAZ7O8=:${p.email}`, userName: p.email, identityProvider: 'F80aVTZAqa38T7HxjIhaxbAZ7O8=' },
        eventSource: 'sts.amazonaws.com', eventName: name, userAgent: 'aws-internal/3 aws-sdk-java/1.12.780 Linux/5.10 OpenJDK_64-Bit_Server_VM/25.432-b06 java/1.8.0_432 vendor/Oracle_Corporation cfg/retry-mode/standard',
        requestParameters: { sAMLAssertionID: `id${rng.chars(24, '0123456789abcdef')}`, roleSessionName: p.email, durationSeconds: 3600, roleArn: `arn:aws:iam::${w.account}:role/${role}`, principalArn: `arn:aws:iam::${w.account}:saml-provider/Okta` },
        responseElements: {
          credentials: credentials(w, ms),
          assumedRoleUser: { assumedRoleId: `AROA${rng.chars(17, UPPER_DIGITS)}:${p.email}`, arn: `arn:aws:sts::${w.account}:assumed-role/${role}/${p.email}` },
          packedPolicySize: 3, subject: p.email, subjectType: 'unspecified', issuer: 'http://www.okta.com/exk9awsfd0GhIjKl4x7',
          audience: 'https://signin.aws.amazon.com/saml', nameQualifier: 'F80aVTZAqa38T7HxjIhaxbAZ7O8=',
        },
        readOnly: true, eventType: 'AwsApiCall', tlsDetails: tls('sts.amazonaws.com'),
      };
    case 'AssumeRole':
    case 'GetSessionToken':
      return {
        ...base, userIdentity: assumedRoleIdentity(w, p, ms), eventSource: 'sts.amazonaws.com', eventName: name, userAgent: CLI_AGENT,
        requestParameters: name === 'AssumeRole'
          ? { roleArn: `arn:aws:iam::${rng.pick(['222233334444', '333344445555'])}:role/${rng.pick(['deploy', 'readonly', 'breakglass-admin'])}`, roleSessionName: p.login, durationSeconds: 3600 }
          : { durationSeconds: 43200 },
        responseElements: name === 'AssumeRole'
          ? { credentials: credentials(w, ms), assumedRoleUser: { assumedRoleId: `AROA${rng.chars(17, UPPER_DIGITS)}:${p.login}`, arn: `arn:aws:sts::222233334444:assumed-role/deploy/${p.login}` } }
          : { credentials: credentials(w, ms) },
        readOnly: true, eventType: 'AwsApiCall', tlsDetails: tls(`sts.${region}.amazonaws.com`),
      };
    case 'DescribeInstances':
    case 'RunInstances':
      return {
        ...base, userIdentity: assumedRoleIdentity(w, p, ms), eventSource: 'ec2.amazonaws.com', eventName: name, userAgent: CLI_AGENT,
        requestParameters: name === 'DescribeInstances'
          ? { instancesSet: {}, filterSet: { items: [{ name: 'tag:env', valueSet: { items: [{ value: 'prod' }] } }] } }
          : { instancesSet: { items: [{ imageId: `ami-${rng.chars(17, '0123456789abcdef')}`, minCount: 1, maxCount: 1 }] }, instanceType: 't3.medium', subnetId: `subnet-${rng.chars(17, '0123456789abcdef')}` },
        responseElements: null, readOnly: name === 'DescribeInstances', eventType: 'AwsApiCall', tlsDetails: tls(`ec2.${region}.amazonaws.com`),
      };
    default:
      return {
        ...base, userIdentity: assumedRoleIdentity(w, p, ms), eventSource: 'iam.amazonaws.com', eventName: name, awsRegion: 'us-east-1', userAgent: 'AWS Internal',
        requestParameters: name === 'AttachRolePolicy'
          ? { roleName: rng.pick(['deploy', 'app-runtime']), policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }
          : { userName: `svc-${rng.chars(6, 'abcdefghijklmnopqrstuvwxyz')}` },
        responseElements: name === 'CreateAccessKey'
          ? { accessKey: { userName: 'svc-build', accessKeyId: `AKIA${rng.chars(16, UPPER_DIGITS)}`, status: 'Active', createDate: 'Mar 11, 2025 10:21:40 AM' } }
          : null,
        readOnly: false, eventType: 'AwsApiCall', tlsDetails: tls('iam.amazonaws.com'),
      };
  }
}
