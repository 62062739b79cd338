import { FileConfig } from '../../../core/config.ts';
import type { CorrEvent } from '../../../ingest/correlate/events.ts';
import { correlationPolicy, type CorrelationPolicy } from '../../../ingest/correlate/policy.ts';

/** A correlation policy from a partial config file. */
export function policyOf(file: unknown = {}): CorrelationPolicy {
  return correlationPolicy(FileConfig.parse(file));
}

let n = 0;
/** A CorrEvent with neutral defaults. */
export function ev(p: Partial<CorrEvent> & { event_time: string }): CorrEvent {
  n++;
  return {
    event_id: p.event_id ?? `e${String(n).padStart(4, '0')}`, source: 'okta', source_kind: 'idp', event_type: 'x', action: 'login',
    user: '', user_raw: '', user_type: 'human', target_user: '', resource: '', resource_type: 'application', environment: 'unknown',
    privileged: false, auth_method: 'unknown', mfa_method: 'unknown', mfa_verified: false, mfa_evidence: 'unknown', phishing_resistant: false,
    outcome: 'success', session_id: '', src_ip: '', details: {}, ...p, t: Date.parse(p.event_time),
  };
}
