import type { SyslogLine } from './syslog-line.ts';

/** `Accepted|Failed|Partial|Postponed <method> for [invalid user ]U from IP port P ssh2[: key info]`. */
export interface AuthLine {
  readonly kind: 'auth';
  readonly verb: 'Accepted' | 'Failed' | 'Partial' | 'Postponed';
  readonly method: string;
  readonly user: string;
  readonly invalid: boolean;
  readonly ip: string;
  readonly port: string;
  readonly key_info: string;
  /** No `ssh2` protocol token: the transport cut the line (RFC 3164 1024-byte limit). */
  readonly truncated: boolean;
}

/** Result of a PAM second-factor module (google authenticator, Duo Unix). */
export interface MfaLine {
  readonly kind: 'mfa';
  readonly module: string;
  readonly result: 'success' | 'failure' | 'skipped' | 'unknown';
  readonly user: string;
  readonly ip: string;
  readonly text: string;
}

/** `sudo: U : [reason ; ]TTY=.. ; PWD=.. ; USER=.. ; COMMAND=..`. */
export interface SudoLine {
  readonly kind: 'sudo';
  readonly user: string;
  readonly problem: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** What one auth-log message says, for both the assembler (grouping) and the mapper (events). */
export type SshMessage =
  | AuthLine
  | MfaLine
  | SudoLine
  | { readonly kind: 'invalid_user'; readonly user: string; readonly ip: string; readonly port: string }
  | { readonly kind: 'root_refused'; readonly ip: string; readonly port: string }
  | { readonly kind: 'not_allowed'; readonly user: string; readonly ip: string; readonly why: string }
  | { readonly kind: 'max_auth'; readonly user: string; readonly invalid: boolean; readonly ip: string; readonly port: string }
  | { readonly kind: 'preauth_end'; readonly user: string; readonly invalid: boolean; readonly ip: string; readonly port: string }
  | { readonly kind: 'pam_auth_failure'; readonly service: string; readonly user: string; readonly ip: string }
  | { readonly kind: 'session_opened' | 'session_closed'; readonly service: string; readonly user: string; readonly by: string }
  | { readonly kind: 'disconnect'; readonly user: string; readonly ip: string; readonly port: string }
  | { readonly kind: 'cert_info'; readonly key_id: string; readonly serial: string; readonly ca_key_type: string; readonly ca_fingerprint: string }
  | { readonly kind: 'logind_session'; readonly session: string; readonly user: string }
  | { readonly kind: 'noise'; readonly what: string };

/** A classified line; `repeat` > 1 for rsyslog's `message repeated N times: [ ... ]`. */
export interface ClassifiedLine {
  readonly line: SyslogLine;
  readonly msg: SshMessage;
  readonly repeat: number;
}

const REPEATED = /^message repeated (\d+) times?: \[ ?(.*?) ?\]$/;
const AUTH = /^(Accepted|Failed|Partial|Postponed) (\S+) for (invalid user )?(.*?) from (\S*) port (\d*)(?: (ssh[12]))?(?:: (.*?))?(?: \[preauth\])?$/;
const INVALID_USER = /^Invalid user (.*?) from (\S+)(?: port (\d+))?(?: \[preauth\])?$/;
const ROOT_REFUSED = /^ROOT LOGIN REFUSED FROM (\S+?)(?: port (\d+))?(?: \[preauth\])?$/i;
const NOT_ALLOWED = /^User (.*?) from (\S+) not allowed because (.*)$/;
const MAX_AUTH = /^(?:error: )?maximum authentication attempts exceeded for (invalid user )?(.*?) from (\S+) port (\d+)/;
const PREAUTH_USER = /(?:by|from) (authenticating|invalid) user (.*?) (\S+) port (\d+)/;
const PREAUTH_PLAIN = /(?:by|from) (\S+) port (\d+)/;
const PREAUTH_END = /^(Connection (?:closed|reset) by|Disconnected from|Received disconnect from|Disconnecting|fatal:|error: kex_exchange_identification|kex_exchange_identification|banner exchange|Unable to negotiate|ssh_dispatch_run_fatal|Bad protocol version|Protocol major versions differ)/;
const NO_CONNECTION = /^(Did not receive identification string|fatal: Timeout before authentication|Timeout before authentication|refused connect from|Magic value check failed)/;
const PAM_AUTH_FAIL = /^pam_unix\(([\w-]+):auth\): authentication failure;(.*)$/;
const PAM_SESSION = /^pam_unix\(([\w-]+):session\): session (opened|closed) for user (\S+?)(?:\(uid=\d+\))?(?: by (\S*?)(?:\(uid=\d+\))?)?$/;
const DISCONNECTED_USER = /^Disconnected from user (.*?) (\S+) port (\d+)$/;
const RECEIVED_DISCONNECT = /^Received disconnect from (\S+?)(?: port (\d+))?: ?\d+:/;
const CLOSE_SESSION = /^Close session: user (.*?) from (\S+) port (\d+)/;
const CERT_INFO = /^Accepted certificate ID "(.*)" \(serial (\d+)\) signed by (\S+) CA (\S+)/;
const DUO = /^(Successful|Failed|Aborted|Skipped|Allowed|Error in) Duo login for '?(.*?)'?(?: from (\S+?))?(?:: (.*)| on .*)?$/;
const GAUTH_OK = /^Accepted google_authenticator for (\S+)/;
const GAUTH_BAD = /^(?:Invalid verification code|Did not receive verification code from user|Failed to compute location of secret file) for (\S+)/;
const LOGIND_NEW = /^New session (\S+) of user (.+?)\.?$/;

/** True for programs whose lines belong to an sshd connection (pre-9.8 `sshd`, 9.8+ `sshd-session`, 10.0 `sshd-auth`). */
export function isSshdProgram(program: string): boolean {
  return /^sshd(?:-session|-auth)?$/.test(program);
}

/** PAM module name for `sshd(pam_google_authenticator)` / `pam_duo` tags, else ''. */
export function pamModuleOf(program: string): string {
  const m = /^sshd(?:-session|-auth)?\((pam_[\w-]+)\)$/.exec(program) ?? /^(pam_duo|pam_google_authenticator)$/.exec(program);
  return m ? m[1] : '';
}

/** Classifies one parsed line; unwraps `message repeated N times: [ ... ]` into `repeat`. */
export function classifyLine(line: SyslogLine): ClassifiedLine {
  const rep = REPEATED.exec(line.message);
  const message = rep ? rep[2] : line.message;
  const repeat = rep ? Math.max(1, Math.min(Number(rep[1]), 10_000)) : 1;
  return { line: rep ? { ...line, message } : line, msg: classifyMessage(line.program, message), repeat };
}

function classifyMessage(program: string, message: string): SshMessage {
  const module = pamModuleOf(program);
  if (module !== '') return classifyModule(module, message);
  if (program === 'sudo') return classifySudo(message);
  if (program === 'systemd-logind') {
    const m = LOGIND_NEW.exec(message);
    return m ? { kind: 'logind_session', session: m[1], user: m[2] } : { kind: 'noise', what: 'logind_noise' };
  }
  if (!isSshdProgram(program)) return { kind: 'noise', what: 'other_program' };
  return classifySshd(message);
}

function classifySshd(message: string): SshMessage {
  let m = AUTH.exec(message);
  if (m) {
    return {
      kind: 'auth', verb: m[1] as AuthLine['verb'], method: m[2], invalid: m[3] !== undefined, user: m[4],
      ip: m[5], port: m[6], key_info: m[8] ?? '', truncated: m[7] === undefined,
    };
  }
  if (/^(Accepted|Failed|Partial) \S+ for /.test(message)) {
    // Cut before `port`: keep the verdict visible so the mapper can reject it as truncated.
    const cut = /^(Accepted|Failed|Partial) (\S+) for (invalid user )?(.*?)(?: from (\S*))?(?: port.*)?$/.exec(message);
    if (cut) return { kind: 'auth', verb: cut[1] as AuthLine['verb'], method: cut[2], invalid: cut[3] !== undefined, user: cut[4], ip: cut[5] ?? '', port: '', key_info: '', truncated: true };
  }
  if ((m = INVALID_USER.exec(message))) return { kind: 'invalid_user', user: m[1], ip: m[2], port: m[3] ?? '' };
  if ((m = ROOT_REFUSED.exec(message))) return { kind: 'root_refused', ip: m[1], port: m[2] ?? '' };
  if ((m = NOT_ALLOWED.exec(message))) return { kind: 'not_allowed', user: m[1], ip: m[2], why: m[3] };
  if ((m = MAX_AUTH.exec(message))) return { kind: 'max_auth', invalid: m[1] !== undefined, user: m[2], ip: m[3], port: m[4] };
  if ((m = PAM_SESSION.exec(message))) return { kind: m[2] === 'opened' ? 'session_opened' : 'session_closed', service: m[1], user: m[3], by: m[4] ?? '' };
  if ((m = PAM_AUTH_FAIL.exec(message))) {
    const kv = m[2];
    return { kind: 'pam_auth_failure', service: m[1], user: /\buser=(\S+)/.exec(kv)?.[1] ?? '', ip: /\brhost=(\S+)/.exec(kv)?.[1] ?? '' };
  }
  if ((m = CERT_INFO.exec(message))) return { kind: 'cert_info', key_id: m[1], serial: m[2], ca_key_type: m[3], ca_fingerprint: m[4] };
  if ((m = DUO.exec(message))) return duoLine('pam_duo', m);
  if (NO_CONNECTION.test(message)) return { kind: 'noise', what: 'no_connection' };
  if (message.endsWith('[preauth]') && PREAUTH_END.test(message)) {
    const u = PREAUTH_USER.exec(message);
    if (u) return { kind: 'preauth_end', invalid: u[1] === 'invalid', user: u[2], ip: u[3], port: u[4] };
    const p = PREAUTH_PLAIN.exec(message);
    return { kind: 'preauth_end', invalid: false, user: '', ip: p?.[1] ?? '', port: p?.[2] ?? '' };
  }
  if ((m = DISCONNECTED_USER.exec(message))) return { kind: 'disconnect', user: m[1], ip: m[2], port: m[3] };
  if ((m = CLOSE_SESSION.exec(message))) return { kind: 'disconnect', user: m[1], ip: m[2], port: m[3] };
  if ((m = RECEIVED_DISCONNECT.exec(message))) return { kind: 'disconnect', user: '', ip: m[1], port: m[2] ?? '' };
  if (/^PAM \d+ more authentication failures?;/.test(message)) return { kind: 'noise', what: 'pam_summary' };
  return { kind: 'noise', what: 'sshd_noise' };
}

function classifyModule(module: string, message: string): SshMessage {
  let m = GAUTH_OK.exec(message);
  if (m) return { kind: 'mfa', module, result: 'success', user: m[1], ip: '', text: message };
  if ((m = GAUTH_BAD.exec(message))) return { kind: 'mfa', module, result: 'failure', user: m[1], ip: '', text: message };
  if ((m = DUO.exec(message))) return duoLine(module, m);
  return { kind: 'noise', what: 'pam_module_noise' };
}

function duoLine(module: string, m: RegExpExecArray): MfaLine {
  const verdict = m[1];
  // `Skipped` = Duo allowed without a factor (bypass status, unenrolled policy); `Allowed` = fail-open on outage.
  const result: MfaLine['result'] = verdict === 'Successful' ? 'success'
    : verdict === 'Skipped' || verdict === 'Allowed' ? 'skipped'
      : verdict === 'Failed' || verdict === 'Aborted' ? 'failure' : 'unknown';
  return { kind: 'mfa', module: module === 'pam_duo' || module === '' ? 'pam_duo' : module, result, user: m[2], ip: m[3] ?? '', text: m[0] };
}

function classifySudo(message: string): SshMessage {
  const session = PAM_SESSION.exec(message);
  if (session) return { kind: session[2] === 'opened' ? 'session_opened' : 'session_closed', service: session[1], user: session[3], by: session[4] ?? '' };
  const m = /^(\S+) : (.*)$/.exec(message);
  if (!m) return { kind: 'noise', what: 'sudo_noise' };
  const fields: Record<string, string> = {};
  let problem = '';
  for (const part of m[2].split(' ; ')) {
    const kv = /^([A-Z]+)=(.*)$/.exec(part.trim());
    if (kv) fields[kv[1]] = kv[2];
    else if (problem === '') problem = part.trim();
  }
  if (!('COMMAND' in fields) && problem === '') return { kind: 'noise', what: 'sudo_noise' };
  return { kind: 'sudo', user: m[1], problem, fields };
}
