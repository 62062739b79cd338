import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// A multi-source day (2025-06-02, org corp.example, AWS account 444455556666) built from vendor-shaped records,
// so every session, binding, finding and metric is known by construction. The expected truth is in
// test/integration/correlation-scenario.test.ts next to the assertions.

const ACCOUNT = '444455556666';
const D = '2025-06-02';
const at = (hms: string, day = D): string => `${day}T${hms}.000Z`;
let seq = 0;
const uuid = (): string => `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;

/** Minimal Okta System Log LogEvent. */
function okta(eventType: string, time: string, actor: string, result: string, extra: { factor?: string; target?: string; group?: string; session?: string; reason?: string } = {}): object {
  const targets: object[] = [];
  if (extra.target) targets.push({ alternateId: extra.target, displayName: extra.target, id: `00u${extra.target.length}`, type: 'User' });
  if (extra.group) targets.push({ alternateId: 'unknown', displayName: extra.group, id: '00g1', type: 'UserGroup' });
  return {
    actor: { alternateId: actor, displayName: actor, id: `00u-${actor}`, type: 'User' },
    authenticationContext: { externalSessionId: extra.session ?? null },
    client: { ipAddress: '203.0.113.20', userAgent: { rawUserAgent: 'Mozilla/5.0' }, zone: 'Office' },
    debugContext: { debugData: extra.factor ? { factor: extra.factor } : {} },
    eventType, outcome: { result, reason: extra.reason ?? null }, published: time,
    target: targets.length ? targets : null, transaction: { detail: {}, id: `tx${seq}`, type: 'WEB' }, uuid: uuid(), version: '0',
  };
}

const TELEPORT = { cluster_name: 'teleport.corp.example' };

function sessionStart(user: string, time: string, host: string, sid: string, login: string, withMfa?: string, roles = ['access']): object {
  return {
    ei: 0, event: 'session.start', uid: uuid(), code: 'T2000I', time, ...TELEPORT, user, user_kind: 1, user_roles: roles, login, sid,
    ...(withMfa ? { with_mfa: withMfa } : {}), server_id: `srv-${host}`, server_hostname: host, server_labels: { hostname: host, env: 'prod' }, proto: 'ssh',
  };
}

/** Teleport audit events. */
function teleportRecords(): object[] {
  return [
    { ei: 0, event: 'user.login', uid: uuid(), code: 'T1000I', time: at('08:00:30'), ...TELEPORT, user: 'ann@corp.example', success: true, method: 'saml', connector_id: 'okta' },
    { ei: 0, event: 'cert.create', uid: uuid(), code: 'TC000I', time: at('08:00:31'), ...TELEPORT, cert_type: 'user', identity: { user: 'ann@corp.example', roles: ['access'], logins: ['ubuntu'], expires: at('20:00:31') } },
    sessionStart('ann@corp.example', at('08:05:00'), 'prod-web-1', 'sid-ann-1', 'ubuntu'),
    { ei: 90, event: 'session.end', uid: uuid(), code: 'T2004I', time: at('08:35:00'), ...TELEPORT, user: 'ann@corp.example', user_kind: 1, login: 'ubuntu', sid: 'sid-ann-1', server_hostname: 'prod-web-1', interactive: true },
    {
      ei: 0, event: 'db.session.start', uid: uuid(), code: 'TDB00I', time: at('08:10:00'), ...TELEPORT, user: 'ann@corp.example', user_kind: 1, user_roles: ['access'],
      sid: 'sid-ann-db', success: true, db_service: 'prod-pg', db_protocol: 'postgres', db_uri: 'prod-pg.internal:5432', db_name: 'payments', db_user: 'ann', db_labels: { env: 'prod' }, postgres_pid: 7001,
    },
    sessionStart('ann@corp.example', at('21:30:00'), 'prod-web-2', 'sid-ann-2', 'ubuntu'),
    { ei: 0, event: 'mfa.add', uid: uuid(), code: 'T1006I', time: at('08:59:30'), ...TELEPORT, user: 'ben@corp.example', user_kind: 1, mfa_device_name: 'ben-otp', mfa_device_uuid: 'dev-ben-otp', mfa_device_type: 'TOTP' },
    sessionStart('ben@corp.example', at('09:30:00'), 'prod-db-2', 'sid-ben-1', 'ben', 'dev-ben-otp'),
    { ei: 0, event: 'user.login', uid: uuid(), code: 'T1000I', time: at('15:00:00'), ...TELEPORT, user: 'breakglass', success: true, method: 'local', mfa_device: { mfa_device_name: 'bg-key', mfa_device_uuid: 'dev-bg-key', mfa_device_type: 'WebAuthn' } },
    sessionStart('breakglass', at('15:01:00'), 'prod-db-2', 'sid-bg-1', 'root', 'dev-bg-key', ['editor', 'access']),
    { ei: 0, event: 'lock.created', uid: uuid(), code: 'TLK00I', time: at('13:00:00'), ...TELEPORT, name: 'lock-cara', updated_by: 'adm@corp.example', user: 'adm@corp.example', user_kind: 1, target: { user: 'cara@corp.example' }, message: 'offboarded' },
    { ei: 0, event: 'auth', uid: uuid(), code: 'T3007W', time: at('13:30:00'), ...TELEPORT, user: 'cara@corp.example', login: 'cara', user_kind: 1, success: false, error: 'lock in force', server_id: 'srv-prod-web-1', server_hostname: 'prod-web-1' },
    { ei: 0, event: 'lock.created', uid: uuid(), code: 'TLK00I', time: at('03:00:00', '2025-06-03'), ...TELEPORT, name: 'lock-fay', updated_by: 'adm@corp.example', user: 'adm@corp.example', user_kind: 1, target: { user: 'fay@corp.example' }, message: 'suspended' },
  ];
}

/** Okta events: MFA successes (IdP profiles), failures, and the admin's revocations. */
function oktaRecords(): object[] {
  return [
    okta('user.authentication.auth_via_mfa', at('00:30:00'), 'fay@corp.example', 'SUCCESS', { factor: 'OKTA_VERIFY_PUSH', target: 'fay@corp.example' }),
    okta('user.lifecycle.suspend', at('01:00:00'), 'adm@corp.example', 'SUCCESS', { target: 'fay@corp.example' }),
    okta('user.authentication.auth_via_mfa', at('05:00:00'), 'gus@corp.example', 'SUCCESS', { factor: 'sms', target: 'gus@corp.example' }),
    okta('user.authentication.auth_via_mfa', at('06:00:00'), 'eve@corp.example', 'SUCCESS', { factor: 'FIDO_WEBAUTHN', target: 'eve@corp.example' }),
    okta('user.authentication.auth_via_mfa', at('06:59:00'), 'cara@corp.example', 'FAILURE', { factor: 'sms', target: 'cara@corp.example', reason: 'INVALID_CREDENTIALS' }),
    okta('user.authentication.auth_via_mfa', at('07:00:00'), 'cara@corp.example', 'SUCCESS', { factor: 'sms', target: 'cara@corp.example' }),
    okta('policy.evaluate_sign_on', at('07:59:58'), 'ann@corp.example', 'CHALLENGE', { session: 'okta-ann', reason: 'Sign-on policy evaluation resulted in CHALLENGE' }),
    okta('user.authentication.auth_via_mfa', at('08:00:00'), 'ann@corp.example', 'SUCCESS', { factor: 'FIDO_WEBAUTHN', target: 'ann@corp.example', session: 'okta-ann' }),
    okta('user.session.start', at('08:00:01'), 'ann@corp.example', 'SUCCESS', { session: 'okta-ann' }),
    okta('user.session.start', at('08:58:00'), 'ben@corp.example', 'FAILURE', { reason: 'INVALID_CREDENTIALS' }),
    okta('user.mfa.okta_verify.deny_push', at('08:59:00'), 'ben@corp.example', 'FAILURE', { factor: 'OKTA_VERIFY_PUSH', target: 'ben@corp.example' }),
    okta('user.authentication.auth_via_mfa', at('09:00:00'), 'ben@corp.example', 'SUCCESS', { factor: 'OKTA_VERIFY_PUSH', target: 'ben@corp.example' }),
    okta('group.user_membership.remove', at('10:00:00'), 'adm@corp.example', 'SUCCESS', { target: 'eve@corp.example', group: 'prod-admins' }),
    okta('user.lifecycle.deactivate', at('12:00:00'), 'adm@corp.example', 'SUCCESS', { target: 'cara@corp.example' }),
  ];
}

const SSH_TIME = (hms: string): string => `${D}T${hms}.000000+00:00`;

/** sshd lines (RFC 3339 timestamps); one pid per connection. */
function sshdLines(): string[] {
  return [
    `${SSH_TIME('08:05:01')} prod-web-1 sshd[1001]: Accepted publickey for ubuntu from 10.9.0.3 port 40001 ssh2: ED25519-CERT SHA256:annkeyfp ID ann@corp.example (serial 7) CA ED25519 SHA256:TELEPORTCAFP`,
    `${SSH_TIME('09:10:00')} build-1 sshd[1002]: Accepted password for ben from 192.0.2.5 port 40002 ssh2`,
    `${SSH_TIME('09:20:00')} prod-db-2 sshd[1003]: Accepted publickey for ben from 192.0.2.5 port 40003 ssh2: ED25519 SHA256:benplainkey`,
    `${SSH_TIME('10:00:00')} legacy-prod-1 sshd[1004]: Accepted password for gus from 192.0.2.6 port 40004 ssh2`,
    `${SSH_TIME('11:00:00')} bastion-9 sshd[1005]: Failed password for invalid user admin from 198.51.100.9 port 40005 ssh2`,
    `${SSH_TIME('12:45:00')} app-9 sshd[1006]: Accepted publickey for cara from 192.0.2.7 port 40006 ssh2: RSA SHA256:carakey`,
    `${SSH_TIME('13:00:00')} legacy-prod-1 sshd[1007]: Accepted password for gus from 192.0.2.6 port 40007 ssh2`,
    `${SSH_TIME('14:30:00')} prod-web-1 sshd[1008]: Accepted publickey for ci-bot from 10.9.0.8 port 40008 ssh2: ED25519 SHA256:cikey`,
  ];
}

/** PostgreSQL log: a connection through the Teleport database agent (pid 7001) and a local superuser login. */
function postgresLines(): string[] {
  return [
    `${D} 08:10:00.400 UTC [7001] [unknown]@[unknown] LOG:  connection received: host=10.9.0.4 port=50001`,
    `${D} 08:10:00.420 UTC [7001] [unknown]@[unknown] LOG:  connection authenticated: identity="CN=ann" method=cert (/etc/postgresql/16/main/pg_hba.conf:98)`,
    `${D} 08:10:00.430 UTC [7001] ann@payments LOG:  connection authorized: user=ann database=payments application_name=psql`,
    `${D} 16:30:00.000 UTC [7100] [unknown]@[unknown] LOG:  connection received: host=[local]`,
    `${D} 16:30:00.002 UTC [7100] [unknown]@[unknown] LOG:  connection authenticated: identity="postgres" method=peer (/etc/postgresql/16/main/pg_hba.conf:90)`,
    `${D} 16:30:00.003 UTC [7100] postgres@postgres LOG:  connection authorized: user=postgres database=postgres application_name=psql`,
  ];
}

function assumedRole(person: string, key: string): object {
  return {
    type: 'AssumedRole', principalId: `AROA1:${person}`, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/OktaProd-Admin/${person}`, accountId: ACCOUNT, accessKeyId: key,
    sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${ACCOUNT}:role/OktaProd-Admin`, accountId: ACCOUNT, userName: 'OktaProd-Admin' }, attributes: { creationDate: at('08:03:00'), mfaAuthenticated: 'false' } },
  };
}

function ct(eventSource: string, eventName: string, time: string, userIdentity: object, extra: Record<string, unknown> = {}): object {
  return {
    eventVersion: '1.10', userIdentity, eventTime: time.replace('.000Z', 'Z'), eventSource, eventName, awsRegion: 'us-east-1', sourceIPAddress: '203.0.113.20',
    userAgent: 'Mozilla/5.0', requestParameters: null, responseElements: null, eventID: uuid(), eventType: eventSource.startsWith('signin') ? 'AwsConsoleSignIn' : 'AwsApiCall',
    managementEvent: true, recipientAccountId: ACCOUNT, eventCategory: 'Management', ...extra,
  };
}

function samlRole(person: string, time: string, key: string): object {
  return ct('sts.amazonaws.com', 'AssumeRoleWithSAML', time, { type: 'SAMLUser', principalId: `IDP=:${person}`, userName: person, identityProvider: 'IDP=' }, {
    readOnly: true,
    requestParameters: { roleSessionName: person, durationSeconds: 3600, roleArn: `arn:aws:iam::${ACCOUNT}:role/OktaProd-Admin`, principalArn: `arn:aws:iam::${ACCOUNT}:saml-provider/Okta` },
    responseElements: {
      credentials: { accessKeyId: key, expiration: 'Jun 2, 2025, 11:00:00 PM' },
      assumedRoleUser: { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/OktaProd-Admin/${person}` }, subject: person, issuer: 'http://www.okta.com/exk1', nameQualifier: 'IDP=',
    },
  });
}

const iamUser = (name: string, key = ''): object => ({ type: 'IAMUser', principalId: `AIDA${name}`, arn: `arn:aws:iam::${ACCOUNT}:user/${name}`, accountId: ACCOUNT, userName: name, ...(key ? { accessKeyId: key } : {}) });
const root = { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, accessKeyId: '' };
const consoleLogin = (mfa: string | null, ok = true): Record<string, unknown> => ({
  responseElements: { ConsoleLogin: ok ? 'Success' : 'Failure' }, ...(ok ? {} : { errorMessage: 'Failed authentication' }),
  additionalEventData: mfa ? { MFAUsed: 'Yes', MFAIdentifier: mfa } : { MFAUsed: 'No' },
});

/** CloudTrail records: console logins, SAML role assumptions, root, IAM changes, a long-term key. */
function cloudtrailRecords(): object[] {
  const ann = assumedRole('ann@corp.example', 'ASIAANN0000000000001');
  const adm = assumedRole('adm@corp.example', 'ASIAADM0000000000001');
  return [
    ct('signin.amazonaws.com', 'ConsoleLogin', at('07:30:00'), iamUser('cara'), consoleLogin(`arn:aws:iam::${ACCOUNT}:mfa/cara-phone`)),
    samlRole('ann@corp.example', at('08:03:00'), 'ASIAANN0000000000001'),
    ct('signin.amazonaws.com', 'ConsoleLogin', at('08:03:05'), ann, consoleLogin(null)),
    samlRole('eve@corp.example', at('10:30:00'), 'ASIAEVE0000000000001'),
    ct('signin.amazonaws.com', 'ConsoleLogin', at('11:05:00'), root, consoleLogin(null, false)),
    ct('iam.amazonaws.com', 'DeleteLoginProfile', at('12:30:00'), adm, { readOnly: false, requestParameters: { userName: 'cara' } }),
    ct('iam.amazonaws.com', 'CreateUser', at('14:00:00'), ann, { readOnly: false, requestParameters: { userName: 'tmpadmin' }, responseElements: { user: { userName: 'tmpadmin', arn: `arn:aws:iam::${ACCOUNT}:user/tmpadmin` } } }),
    ct('iam.amazonaws.com', 'CreateLoginProfile', at('14:01:00'), ann, { readOnly: false, requestParameters: { userName: 'tmpadmin' } }),
    ct('iam.amazonaws.com', 'AttachUserPolicy', at('14:02:00'), ann, { readOnly: false, requestParameters: { userName: 'tmpadmin', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' } }),
    ct('iam.amazonaws.com', 'CreateAccessKey', at('14:03:00'), ann, { readOnly: false, requestParameters: { userName: 'tmpadmin' }, responseElements: { accessKey: { userName: 'tmpadmin', accessKeyId: 'AKIATMPADMIN00000001', status: 'Active' } } }),
    ct('signin.amazonaws.com', 'ConsoleLogin', at('15:10:00'), root, consoleLogin(`arn:aws:iam::${ACCOUNT}:u2f/root/bg-key-1`)),
    ct('sts.amazonaws.com', 'GetFederationToken', at('16:00:00'), iamUser('ops-old', 'AKIAOPSOLD0000000001'), {
      readOnly: true, requestParameters: { name: 'vendor', durationSeconds: 3600 },
      responseElements: { credentials: { accessKeyId: 'ASIAOPSOLD0000000001', expiration: 'Jun 2, 2025, 5:00:00 PM' }, federatedUser: { arn: `arn:aws:sts::${ACCOUNT}:federated-user/vendor` } },
    }),
  ];
}

const REPORT_HEADER = 'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

/** IAM credential report generated at 06:00 (imported with the clock at that time). */
function credentialReport(): string {
  return [
    REPORT_HEADER,
    `<root_account>,arn:aws:iam::${ACCOUNT}:root,2020-01-01T00:00:00+00:00,not_supported,N/A,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
    `cara,arn:aws:iam::${ACCOUNT}:user/cara,2021-01-01T00:00:00+00:00,true,2025-06-01T07:30:00+00:00,2024-01-01T00:00:00+00:00,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
    `ops-old,arn:aws:iam::${ACCOUNT}:user/ops-old,2018-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2019-01-01T00:00:00+00:00,2025-06-01T16:00:00+00:00,us-east-1,sts,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
  ].join('\n');
}

/** The files of the scenario, one per source. */
export interface ScenarioFiles {
  readonly okta: string;
  readonly teleport: string;
  readonly sshd: string;
  readonly postgres: string;
  readonly cloudtrail: string;
  readonly aws_credential_report: string;
  readonly hr: string;
}

/** Writes the scenario files into `dir` (JSON lines, text logs, CSVs). */
export function writeScenario(dir: string): ScenarioFiles {
  mkdirSync(dir, { recursive: true });
  seq = 0;
  const w = (name: string, text: string): string => { const p = join(dir, name); writeFileSync(p, `${text}\n`); return p; };
  const jsonl = (rows: object[]): string => rows.map((r) => JSON.stringify(r)).join('\n');
  return {
    okta: w('okta.jsonl', jsonl(oktaRecords())),
    teleport: w('teleport.jsonl', jsonl(teleportRecords())),
    sshd: w('auth.log', sshdLines().join('\n')),
    postgres: w('postgresql.log', postgresLines().join('\n')),
    cloudtrail: w('cloudtrail.jsonl', jsonl(cloudtrailRecords())),
    aws_credential_report: w('credential-report.csv', credentialReport()),
    hr: w('offboarding.csv', 'person,time,reason\ncara@corp.example,2025-06-02T11:30:00Z,resigned'),
  };
}

/** The config file of the scenario (JSON form of the YAML an operator writes). */
export const SCENARIO_CONFIG = {
  break_glass_accounts: ['breakglass'],
  service_accounts: ['ci-bot'],
  policy: {
    gateway_ca_fingerprints: ['SHA256:TELEPORTCAFP'],
    local_admin_accounts: ['ops-old'],
  },
};

/** When the credential report was generated (the import clock). */
export const REPORT_TIME = at('06:00:00');
