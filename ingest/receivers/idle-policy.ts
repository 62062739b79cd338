/**
 * What a live receiver may not flush on a short silence. An sshd login with several methods logs `Partial publickey`
 * and `Postponed keyboard-interactive`, then waits for the person to type a code or approve a push (seconds to a
 * minute) before `Accepted keyboard-interactive/pam`. Flushing in between would split that one login into a
 * record without a verdict and a record without the first factor (losing the certificate identity), so such
 * lines are held until their verdict arrives or until `HOLD_MAX_MS` has passed.
 */

/** sshd LoginGraceTime is 120 s: no connection stays pre-auth longer. */
export const HOLD_MAX_MS = 130_000;

const SSHD_AWAITING_VERDICT = /\b(?:Partial|Postponed) \S+ for /;

/** Per source: true for a line whose record must not be flushed just because the input went quiet. */
const HOLD_PREDICATES: Readonly<Record<string, (line: string) => boolean>> = {
  sshd: (line) => SSHD_AWAITING_VERDICT.test(line),
};

/** The hold predicate of a source (never holds for sources without one). */
export function holdPredicateFor(source: string): (line: string) => boolean {
  return HOLD_PREDICATES[source] ?? (() => false);
}
