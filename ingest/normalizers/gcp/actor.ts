import type { UserType } from '../../../schema/auth-event.ts';
import { canonicalUser, getPath, isObject, str } from '../common.ts';

/** The caller of a Cloud Audit entry, with the person behind an impersonated service account. */
export interface GcpActor {
  readonly user: string;
  /** principalEmail (or principalSubject) exactly as logged. */
  readonly user_raw: string;
  readonly user_type: UserType;
  /** Service account whose identity was used when someone impersonated it ('' otherwise). */
  readonly impersonated_user: string;
  /** First principal of the delegation chain ('' when there was no impersonation). */
  readonly impersonated_by: string;
  readonly delegation_chain: readonly string[];
  /** Long-lived user-managed key used by a service account, when logged. */
  readonly service_account_key: string;
}

/** Service accounts, Google-internal agents and `system@google.com` are machines. */
export function isServicePrincipal(principal: string): boolean {
  const p = principal.toLowerCase();
  return p.startsWith('serviceaccount:') || p.endsWith('.gserviceaccount.com') || p === 'system@google.com';
}

/** `user:a@b`, `serviceAccount:x@y`, `group:g@d` → the email; other subjects unchanged. */
export function stripMemberPrefix(member: string): string {
  const m = /^(user|serviceAccount|group|domain|deleted:user|deleted:serviceAccount|deleted:group):(.+?)(\?uid=\d+)?$/.exec(member);
  return m ? m[2] : member;
}

function delegationChain(ai: Record<string, unknown>): string[] {
  const info = ai.serviceAccountDelegationInfo;
  if (!Array.isArray(info)) return [];
  return info
    .map((d) => str(getPath(d, ['firstPartyPrincipal', 'principalEmail']))
      || str(getPath(d, ['thirdPartyPrincipal', 'thirdPartyClaims', 'sub']))
      || str(getPath(d, ['principalSubject'])))
    .filter((p) => p !== '');
}

/**
 * Resolves the actor; null when the entry names no principal (redacted or absent caller).
 * NOTE: when the delegation chain starts with a person, that person is the actor and the service
 * account goes to impersonated_user; a chain that starts with a machine keeps the machine as actor.
 */
export function resolveGcpActor(entry: Record<string, unknown>): GcpActor | null {
  const ai = getPath(entry, ['protoPayload', 'authenticationInfo']);
  if (!isObject(ai)) return null;
  const subject = str(ai.principalSubject);
  const principal = str(ai.principalEmail) || stripMemberPrefix(subject);
  if (principal === '') return null;
  const chain = delegationChain(ai);
  const first = chain[0] ?? '';
  const viaHuman = first !== '' && !isServicePrincipal(first);
  const machine = isServicePrincipal(principal) || subject.startsWith('serviceAccount:');
  const user = viaHuman ? first : principal;
  return {
    user: canonicalUser(user),
    user_raw: principal,
    user_type: viaHuman ? 'human' : machine ? 'service' : 'human',
    impersonated_user: chain.length > 0 ? canonicalUser(principal) : '',
    impersonated_by: canonicalUser(first),
    delegation_chain: chain,
    service_account_key: str(ai.serviceAccountKeyName),
  };
}

/** Cheap actor key for bus partitioning. */
export function gcpActorKey(record: unknown): string {
  return isObject(record) ? (resolveGcpActor(record)?.user ?? '') : '';
}
