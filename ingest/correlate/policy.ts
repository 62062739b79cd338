import type { FileConfig } from '../../core/config.ts';

/** Everything the correlator reads from the config file, with windows in milliseconds. */
export interface CorrelationPolicy {
  readonly issue_window_ms: number;
  readonly credential_ttl_ms: number;
  readonly revocation_sla_hours: number;
  readonly lookahead_ms: number;
  readonly gateway_match_ms: number;
  readonly break_glass_review_days: number;
  readonly privileged_resources: readonly string[];
  readonly privileged_environments: readonly string[];
  readonly admin_role_patterns: readonly string[];
  readonly db_superusers: readonly string[];
  readonly gateway_ca_fingerprints: readonly string[];
  readonly local_admin_accounts: readonly string[];
  readonly identities: readonly { readonly person: string; readonly aliases: readonly string[] }[];
  readonly break_glass_accounts: readonly string[];
  readonly shared_accounts: readonly string[];
  readonly service_accounts: readonly string[];
}

const HOUR = 3_600_000;

/** Derives the correlation policy from the validated config file. */
export function correlationPolicy(file: FileConfig): CorrelationPolicy {
  const p = file.policy;
  return {
    issue_window_ms: p.issue_window_minutes * 60_000,
    credential_ttl_ms: p.credential_ttl_hours * HOUR,
    revocation_sla_hours: p.revocation_sla_hours,
    lookahead_ms: p.revocation_lookahead_days * 24 * HOUR,
    gateway_match_ms: p.gateway_match_seconds * 1000,
    break_glass_review_days: p.break_glass_review_days,
    privileged_resources: p.privileged_resources,
    privileged_environments: p.privileged_environments,
    admin_role_patterns: p.admin_role_patterns.map((s) => s.toLowerCase()),
    db_superusers: p.db_superusers,
    gateway_ca_fingerprints: p.gateway_ca_fingerprints,
    local_admin_accounts: p.local_admin_accounts,
    identities: file.identities,
    break_glass_accounts: file.break_glass_accounts,
    shared_accounts: file.shared_accounts,
    service_accounts: file.service_accounts,
  };
}

/** True when a role/group/policy name contains one of the admin patterns (case-insensitive substring). */
export function isAdminName(policy: CorrelationPolicy, name: string): boolean {
  if (name === '') return false;
  const n = name.toLowerCase();
  return policy.admin_role_patterns.some((p) => p !== '' && n.includes(p));
}
