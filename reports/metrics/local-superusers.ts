import type { Store } from '../../schema/store/store.ts';
import { chOf } from '../../ingest/correlate/events.ts';
import { LOCAL_SUPERUSERS } from './queries.ts';

/** One local superuser account as of a date. */
export interface LocalSuperuser {
  readonly account_id: string;
  readonly user: string;
  readonly arn: string;
  readonly is_root: boolean;
  readonly password_enabled: boolean;
  readonly active_keys: number;
  readonly is_admin: boolean;
}

/**
 * Local superusers as of an instant (README "Local superusers"), in one query over `accounts`. `admins` are
 * the config's `local_admin_accounts` and `break_glass_accounts` (IAM user names or ARNs), lower-cased.
 */
export async function localSuperusers(store: Store, asOf: number, admins: readonly string[]): Promise<LocalSuperuser[]> {
  const rows = await store.query<Omit<LocalSuperuser, 'active_keys'> & { active_keys: string | number }>(LOCAL_SUPERUSERS, {
    as_of: chOf(asOf), admins: admins.map((a) => a.toLowerCase()),
  });
  return rows.map((r) => ({ ...r, active_keys: Number(r.active_keys) }));
}
