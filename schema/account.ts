import { z } from 'zod';

/** ISO-8601 UTC instant with milliseconds (same form as AuthEvent times). */
const IsoInstant = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'expected ISO UTC instant with ms');

/**
 * AccountRow: one cloud account (IAM user or root) as of one snapshot, from the AWS IAM credential report.
 * Times are null when the report has no value (`N/A`, `no_information`, `not_supported`); booleans the
 * report does not support for an account (root `password_enabled` = `not_supported`) are false.
 * `user` is the IAM user name, or the root ARN for the root row so it joins auth_events.user of root events.
 */
export const AccountRow = z.object({
  source: z.literal('aws_credential_report'),
  account_id: z.string().regex(/^\d{12}$/),
  user: z.string().min(1),
  arn: z.string().min(1),
  is_root: z.boolean(),
  password_enabled: z.boolean(),
  password_last_used: IsoInstant.nullable(),
  mfa_active: z.boolean(),
  access_key_1_active: z.boolean(),
  access_key_1_last_used: IsoInstant.nullable(),
  access_key_2_active: z.boolean(),
  access_key_2_last_used: IsoInstant.nullable(),
  user_creation_time: IsoInstant.nullable(),
  /** Latest of password / key 1 / key 2 last use; null when none was ever used. */
  last_used: IsoInstant.nullable(),
  snapshot_time: IsoInstant,
});
export type AccountRow = z.infer<typeof AccountRow>;
