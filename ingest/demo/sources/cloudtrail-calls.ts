/**
 * CloudTrail calls the demo stories use: IAM administration (users, keys, MFA, policies), STS sessions of
 * IAM users and CI, and the everyday API calls of engineers (mostly read-only, which accessproof drops).
 */
import { INFRA } from '../org.ts';
import { ALPHABET, type Rng } from '../prng.ts';
import { awsCreateDate, awsExpiration } from '../time-format.ts';
import type { World } from '../world.ts';
import { AWS_UA, ctEmit, ROLE_IDS, stsKey } from './cloudtrail.ts';

const ACCT = INFRA.aws_account;

/** IAM write by an admin identity on a user (CreateUser, AttachUserPolicy, UpdateAccessKey, ...). */
export function ctIamWrite(
  w: World, rng: Rng, t: number, actor: Record<string, unknown>, ip: string,
  op:
    | { name: 'CreateUser' | 'DeleteUser' | 'DeleteLoginProfile' | 'CreateLoginProfile'; user: string }
    | { name: 'AttachUserPolicy' | 'DetachUserPolicy'; user: string; policy: string }
    | { name: 'CreateAccessKey'; user: string; akid: string }
    | { name: 'UpdateAccessKey' | 'DeleteAccessKey'; user: string; akid: string; status?: 'Inactive' | 'Active' }
    | { name: 'DeactivateMFADevice' | 'EnableMFADevice'; user: string; serial: string }
    | { name: 'AddUserToGroup' | 'RemoveUserFromGroup'; user: string; group: string },
  denied?: string,
): void {
  let request: Record<string, unknown> = { userName: op.user };
  let response: unknown = null;
  switch (op.name) {
    case 'CreateUser':
      response = { user: { path: '/', userName: op.user, userId: `AIDA${rng.chars(17, ALPHABET.base32)}`, arn: `arn:aws:iam::${ACCT}:user/${op.user}`, createDate: awsCreateDate(t) } };
      break;
    case 'CreateLoginProfile':
      request = { userName: op.user, passwordResetRequired: true };
      response = { loginProfile: { userName: op.user, createDate: awsCreateDate(t), passwordResetRequired: true } };
      break;
    case 'AttachUserPolicy':
    case 'DetachUserPolicy':
      request = { userName: op.user, policyArn: op.policy };
      break;
    case 'CreateAccessKey':
      response = { accessKey: { userName: op.user, accessKeyId: op.akid, status: 'Active', createDate: awsCreateDate(t) } };
      break;
    case 'UpdateAccessKey':
    case 'DeleteAccessKey':
      request = { userName: op.user, accessKeyId: op.akid, ...(op.name === 'UpdateAccessKey' ? { status: op.status ?? 'Inactive' } : {}) };
      break;
    case 'DeactivateMFADevice':
    case 'EnableMFADevice':
      request = { userName: op.user, serialNumber: op.serial };
      break;
    case 'AddUserToGroup':
    case 'RemoveUserFromGroup':
      request = { groupName: op.group, userName: op.user };
      break;
    default:
      break;
  }
  const arn = String(actor.arn ?? '');
  ctEmit(w, rng, t, {
    identity: actor, source: 'iam.amazonaws.com', name: op.name, ip, ua: AWS_UA.console,
    request: denied ? null : request, response: denied ? null : response,
    ...(denied ? { error: { code: 'AccessDenied', message: `User: ${arn} is not authorized to perform: iam:${op.name} on resource: user ${op.user} because ${denied}` } } : {}),
  });
}

/** `GetSessionToken` by an IAM user's long-term key (with or without an MFA serial). Returns the new key. */
export function ctGetSessionToken(w: World, rng: Rng, t: number, user: { name: string; principal: string; akid: string }, ip: string, ua: string, serial?: string): string {
  const akid = stsKey(rng);
  ctEmit(w, rng, t, {
    identity: { type: 'IAMUser', principalId: user.principal, arn: `arn:aws:iam::${ACCT}:user/${user.name}`, accountId: ACCT, accessKeyId: user.akid, userName: user.name },
    source: 'sts.amazonaws.com', name: 'GetSessionToken', ip, ua, readOnly: true,
    request: { durationSeconds: 43200, ...(serial ? { serialNumber: serial } : {}) },
    response: { credentials: { accessKeyId: akid, expiration: awsExpiration(t + 12 * 3_600_000) } },
  });
  return akid;
}

/** `GetFederationToken` by the shared legacy user (creates a federated user session). Returns the key. */
export function ctGetFederationToken(w: World, rng: Rng, t: number, user: { name: string; principal: string; akid: string }, fedName: string, ip: string): string {
  const akid = stsKey(rng);
  ctEmit(w, rng, t, {
    identity: { type: 'IAMUser', principalId: user.principal, arn: `arn:aws:iam::${ACCT}:user/${user.name}`, accountId: ACCT, accessKeyId: user.akid, userName: user.name },
    source: 'sts.amazonaws.com', name: 'GetFederationToken', ip, ua: AWS_UA.cli('sts.get-federation-token', 'windows#10'), readOnly: true,
    request: { name: fedName, durationSeconds: 3600 },
    response: { credentials: { accessKeyId: akid, expiration: awsExpiration(t + 3_600_000) }, federatedUser: { federatedUserId: `${ACCT}:${fedName}`, arn: `arn:aws:sts::${ACCT}:federated-user/${fedName}` }, packedPolicySize: 1 },
  });
  return akid;
}

/** CI: the `ci-deployer` IAM user's long-term key assumes the deploy role. Returns the session key. */
export function ctCiAssumeRole(w: World, rng: Rng, t: number, runId: string): string {
  const akid = stsKey(rng);
  const s = w.org.svc;
  ctEmit(w, rng, t, {
    identity: { type: 'IAMUser', principalId: s.ci_iam_principal, arn: `arn:aws:iam::${ACCT}:user/ci-deployer`, accountId: ACCT, accessKeyId: s.ci_iam_key, userName: 'ci-deployer' },
    source: 'sts.amazonaws.com', name: 'AssumeRole', ip: INFRA.ci_runner_ip, ua: AWS_UA.cli('sts.assume-role', 'linux#6.8.0-1021-aws'), readOnly: true, vpce: 'vpce-0f1e2d3c4b5a69788',
    request: { roleArn: `arn:aws:iam::${ACCT}:role/ci-deploy`, roleSessionName: `gha-${runId}`, durationSeconds: 900 },
    response: { credentials: { accessKeyId: akid, expiration: awsExpiration(t + 900_000) }, assumedRoleUser: { assumedRoleId: `${ROLE_IDS['ci-deploy']}:gha-${runId}`, arn: `arn:aws:sts::${ACCT}:assumed-role/ci-deploy/gha-${runId}` } },
  });
  return akid;
}

/** EC2 refreshing an instance role (service noise). */
export function ctServiceAssumeRole(w: World, rng: Rng, t: number): void {
  const instance = `i-0${rng.chars(16, ALPHABET.hex)}`;
  ctEmit(w, rng, t, {
    identity: { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' }, source: 'sts.amazonaws.com', name: 'AssumeRole', ip: 'ec2.amazonaws.com', ua: 'ec2.amazonaws.com', readOnly: true,
    request: { roleArn: `arn:aws:iam::${ACCT}:role/payments-api-instance`, roleSessionName: instance },
    response: { credentials: { accessKeyId: stsKey(rng), expiration: awsExpiration(t + 6 * 3_600_000) }, assumedRoleUser: { assumedRoleId: `${ROLE_IDS['payments-api-instance']}:${instance}`, arn: `arn:aws:sts::${ACCT}:assumed-role/payments-api-instance/${instance}` } },
  });
}

/** Everyday engineer calls: [source, name, readOnly, request]. Read-only ones are dropped by default. */
export const EVERYDAY_CALLS: readonly (readonly [string, string, boolean, Record<string, unknown> | null])[] = [
  ['ec2.amazonaws.com', 'DescribeInstances', true, { instancesSet: {}, filterSet: { items: [{ name: 'tag:env', valueSet: { items: [{ value: 'prod' }] } }] } }],
  ['ecs.amazonaws.com', 'DescribeServices', true, { cluster: 'payments-prod', services: ['payments-api'] }],
  ['logs.amazonaws.com', 'FilterLogEvents', true, { logGroupName: '/ecs/payments-api', startTime: 0 }],
  ['cloudwatch.amazonaws.com', 'GetMetricData', true, null],
  ['s3.amazonaws.com', 'ListBuckets', true, { Host: 's3.eu-central-1.amazonaws.com' }],
  ['rds.amazonaws.com', 'DescribeDBInstances', true, null],
  ['ecs.amazonaws.com', 'UpdateService', false, { cluster: 'payments-prod', service: 'payments-api', forceNewDeployment: true }],
  ['ec2.amazonaws.com', 'RebootInstances', false, { instancesSet: { items: [{ instanceId: 'i-0a1b2c3d4e5f60718' }] } }],
  ['ssm.amazonaws.com', 'StartSession', false, { target: 'i-0a1b2c3d4e5f60718' }],
  ['secretsmanager.amazonaws.com', 'GetSecretValue', true, { secretId: 'prod/payments/db' }],
  ['ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress', false, { groupId: 'sg-0f1e2d3c4b5a69788', ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 5432, toPort: 5432 }] } }],
];
