import { globMatch } from '../normalizers/common.ts';
import type { Draft } from './access.ts';
import { detail } from './events.ts';
import { isAdminName, type CorrelationPolicy } from './policy.ts';

/** details keys whose value names a role, group or policy the actor acted with. */
const ROLE_KEYS = ['role', 'target_role', 'groups', 'caller_role', 'policy', 'session_issuer'] as const;
/** OS logins that are administrators by name. */
const ADMIN_LOGINS = new Set(['root', 'administrator']);

/**
 * Privileged session (README "Privileged"): any of its events is privileged by its normalizer's rules (root
 * logins, database superusers, admin roles/policies, system:masters, IdP admin apps, privileged resource
 * patterns); its environment is in `privileged_environments` (default prod); its resource matches
 * `privileged_resources`; it logged in as root/Administrator or a `db_superusers` role; a role, group or
 * policy of it matches `admin_role_patterns`; a sudo to root joined it; or the identity is break-glass or root.
 */
export function isPrivilegedSession(d: Draft, policy: CorrelationPolicy): boolean {
  if (d.privileged_hint || d.who.kind === 'break_glass' || d.who.kind === 'root') return true;
  if (policy.privileged_environments.includes(d.environment)) return true;
  if (policy.privileged_resources.some((p) => globMatch(p, d.resource))) return true;
  if (d.hints.some((h) => isAdminName(policy, h))) return true;
  for (const e of d.events) {
    if (e.privileged || policy.privileged_environments.includes(e.environment)) return true;
    if (ADMIN_LOGINS.has(detail(e, 'login_user').toLowerCase())) return true;
    const db = detail(e, 'db_user').toLowerCase();
    if (db !== '' && policy.db_superusers.includes(db)) return true;
    if (ROLE_KEYS.some((k) => isAdminName(policy, detail(e, k)))) return true;
  }
  return false;
}
