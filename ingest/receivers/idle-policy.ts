import { parseSyslogLine } from '../normalizers/sshd/syslog-line.ts';

/**
 * What a live receiver may not flush on a short silence. An sshd login with several methods logs `Partial
 * publickey` and `Postponed keyboard-interactive`, then waits for the person to type a code or approve a push
 * (seconds to a minute) before `Accepted keyboard-interactive/pam`. Flushing in between would split that one
 * login into a record without a verdict and a record without the first factor (losing the certificate
 * identity), so such a connection is held until its next line arrives or `HOLD_MAX_MS` has passed.
 */
export interface HoldPolicy {
  /** The connection a line belongs to ('' = none). */
  key(line: string): string;
  /** True when the line leaves its connection waiting for more input from the person. */
  awaits(line: string): boolean;
}

/** sshd LoginGraceTime is 120 s: no connection stays pre-auth longer. */
export const HOLD_MAX_MS = 130_000;

const SSHD_AWAITING = /\b(?:Partial|Postponed) \S+ for /;

const sshdHold: HoldPolicy = {
  key(line) {
    const l = parseSyslogLine(line);
    return l && l.pid !== '' && /^sshd(-session|-auth)?$/.test(l.program) ? `${l.host}\u0000${l.pid}` : '';
  },
  awaits: (line) => SSHD_AWAITING.test(line),
};

const NEVER: HoldPolicy = { key: () => '', awaits: () => false };

/** The hold policy of a source (sources without one never hold). */
export function holdPolicyFor(source: string): HoldPolicy {
  return source === 'sshd' ? sshdHold : NEVER;
}
