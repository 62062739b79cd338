import { z } from 'zod';
import { AccountRow } from './account.ts';

/**
 * What one CloudTrail IAM event changed about an IAM user, written to `accounts` (origin `cloudtrail`) between
 * credential reports. `origin_ref` = `<event_id>#<change>#<key id>`; the local-superuser query folds them.
 */
export const AccountChange = z.enum([
  'user_create', 'user_delete', 'password_on', 'password_off', 'key_create', 'key_on', 'key_off',
  'mfa_on', 'mfa_off', 'admin_on', 'admin_off', 'root_seen',
]);
export type AccountChange = z.infer<typeof AccountChange>;

/** AccountChangeRow: a CloudTrail-derived row of `accounts`; only the columns named by its change are meaningful. */
export const AccountChangeRow = AccountRow.extend({
  source: z.literal('cloudtrail'),
  // CloudTrail may name a user before its account id or ARN is known: both may be empty here.
  account_id: z.string(),
  arn: z.string(),
  is_admin: z.boolean(),
  deleted: z.boolean(),
  origin: z.literal('cloudtrail'),
  origin_ref: z.string(),
});
export type AccountChangeRow = z.infer<typeof AccountChangeRow>;
