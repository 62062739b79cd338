/**
 * OpenSSH sshd (syslog / journald / auth.log) → AuthEvents. See /shared/formats/openssh.md.
 *
 * Records come from `createAssembler()`: the lines of one connection (host + pid) joined by '\n'; PAM
 * module lines (own pid) joined by host + user; sudo command + its pam session line. Each record maps to:
 * - `login` per Accepted/Failed line (time = that line); a connection without one (Invalid user, ROOT LOGIN
 *   REFUSED, AllowUsers, MaxAuthTries, pre-auth close by an authenticating user) gives one failure/denial;
 * - `session_end` for `pam_unix(sshd:session): session closed` (else `Disconnected from user U`);
 * - `session_start` for a pam_unix sshd session opened whose Accepted line is not in the record;
 * - `mfa_verify` for a PAM module verdict with no sshd verdict beside it;
 * - `api_call` for sudo (use of a grant, not a grant: never `privilege_change`), privileged when run as root.
 * `message repeated N times: [ m ]` gives N events of `m` from the one record (ids `#r1..#rN`): N separate
 * records would carry identical bytes and so the same raw digest, and nothing to number them by.
 *
 * Identity: `user` = certificate key id when the key is an SSH certificate (`ID <key id>`), else the login.
 * source_event_id = `<host>:<pid>:<event time>:<kind>` (kind: login_success, login_failure, session_end,
 * session_start, sudo, ...), so the same line delivered as RFC 3164, RFC 5424 or journald dedups.
 * RFC 3164 stamps have no year or zone: UTC, year of the ingestion time (previous year when > 2 days ahead).
 *
 * details keys (new ones marked *): pid, program*, login_user, src_port*, auth_methods* (`publickey,
 * keyboard-interactive/pam`), key_type*, key_fingerprint*, cert_key_id, cert_serial*, cert_ca (CA key
 * fingerprint), cert_ca_key_type*, mfa_module* (pam_google_authenticator | pam_duo), logind_session*,
 * repeat* (`k/N`), reason_text*, run_as*, command*, tty*, pwd*, sudo_problem*, sudo_session*, pam_service*.
 */
import type { Normalizer } from './normalizer.ts';
import { reject } from './step-result.ts';
import { createSshdAssembler } from './sshd/assembler.ts';
import { mapSshdRecord } from './sshd/mapper.ts';

const PARTITION_USER = /(?:for (?:invalid user )?|Invalid user |sudo: +|by (?:authenticating |invalid )?user |for user )([^\s(:]+)/;

/** The sshd normalizer: text lines grouped per connection by its assembler. */
export const sshdNormalizer: Normalizer = {
  source: 'sshd',
  format: 'text',
  createAssembler: () => createSshdAssembler(),
  partitionKey(record: unknown): string {
    if (typeof record !== 'string') return '';
    return PARTITION_USER.exec(record)?.[1] ?? '';
  },
  normalize(record, ctx) {
    if (typeof record !== 'string') return reject('unsupported_shape', 'sshd records are text');
    return mapSshdRecord(record, ctx);
  },
};
