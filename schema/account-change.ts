import { z } from 'zod';
import { IsoInstant } from './session.ts';

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
export const AccountChangeRow = z.object({
  source: z.literal('cloudtrail'),
  account_id: z.string(),
  user: z.string().min(1),
  arn: z.string(),
  is_root: z.boolean(),
  password_enabled: z.boolean(),
  password_last_used: IsoInstant.nullable(),
  mfa_active: z.boolean(),
  access_key_1_active: z.boolean(),
  access_key_1_last_used: IsoInstant.nullable(),
  access_key_2_active: z.boolean(),
  access_key_2_last_used: IsoInstant.nullable(),
  user_creation_time: IsoInstant.nullable(),
  last_used: IsoInstant.nullable(),
  is_admin: z.boolean(),
  deleted: z.boolean(),
  snapshot_time: IsoInstant,
  origin: z.literal('cloudtrail'),
  origin_ref: z.string(),
});
export type AccountChangeRow = z.infer<typeof AccountChangeRow>;
