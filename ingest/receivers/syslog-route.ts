import type { SyslogMessage } from './syslog-message.ts';

/** A text source the syslog receiver feeds. */
export type SyslogSource = 'sshd' | 'postgres';

/**
 * Source of a message by its program: sshd and its helpers (per-connection `sshd-session`/`sshd-auth`, PAM
 * modules logging as `sshd(pam_x)`, `sudo`, and `systemd-logind` whose `New session` line completes an sshd
 * login) → sshd; the PostgreSQL server (`syslog_ident`, default `postgres`) → postgres; anything else → null.
 */
export function routeProgram(app: string): SyslogSource | null {
  const p = app.toLowerCase().replace(/\(.*\)$/, '');
  if (p === 'sshd' || p === 'sshd-session' || p === 'sshd-auth' || p === 'sudo' || p === 'systemd-logind') return 'sshd';
  if (p === 'pam' || p.startsWith('pam_')) return 'sshd';
  if (p === 'postgres' || p === 'postgresql' || p === 'postmaster') return 'postgres';
  return null;
}

/**
 * The line handed to the sshd normalizer: the message as received, except that an RFC 3164 message without a
 * HOSTNAME gets the sender's address there (the sshd grammar needs a host to key connections).
 */
export function sshdLine(text: string, m: SyslogMessage, peerHost: string): string {
  if (m.format === 'rfc3164' && m.hostname === '' && peerHost !== '') {
    return `${text.slice(0, m.host_at)}${peerHost} ${text.slice(m.host_at)}`;
  }
  return text;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const PG_STAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/;
const SEQUENCE = /^\[(\d+)-(\d+)\] ?/;

/**
 * The PostgreSQL server-log line inside a syslog message, in the stderr grammar the postgres normalizer reads.
 * PostgreSQL writes `[<line>-<chunk>] <log_line_prefix><SEVERITY>:  <message>` to syslog
 * (`syslog_sequence_numbers`), one message per line of a multi-line entry and per 900-byte piece of a long line
 * (`syslog_split_messages`). Chunk 2+ becomes a tab-indented continuation line, as in the stderr log (a piece
 * split mid-line thus gains a line break). When log_line_prefix has no `%m` (syslog already stamps the time),
 * the syslog time and pid are put in front as `%m [%p] `. Returns null when the message has no usable time.
 */
export function postgresLine(m: SyslogMessage, nowIso: string): string | null {
  let text = m.msg;
  const seq = SEQUENCE.exec(text);
  if (seq) {
    text = text.slice(seq[0].length);
    if (Number(seq[2]) > 1) return text.startsWith('\t') ? text : `\t${text}`;
  }
  if (PG_STAMP.test(text)) return text;
  const stamp = pgStampOf(m, nowIso);
  if (!stamp) return null;
  return `${stamp}${m.procid !== '' ? ` [${m.procid}]` : ''} ${text}`;
}

/** `YYYY-MM-DD HH:MM:SS.mmm UTC` from the syslog time (RFC 3164: year of `nowIso`, previous one if > 2 days ahead). */
export function pgStampOf(m: SyslogMessage, nowIso: string): string | null {
  let t: number;
  const bsd = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?$/.exec(m.timestamp);
  if (bsd) {
    const month = MONTHS.indexOf(bsd[1] as string);
    const now = Date.parse(nowIso);
    if (month < 0 || !Number.isFinite(now)) return null;
    const msPart = bsd[6] ? Math.floor(Number(`0.${bsd[6]}`) * 1000) : 0;
    const at = (y: number): number => Date.UTC(y, month, Number(bsd[2]), Number(bsd[3]), Number(bsd[4]), Number(bsd[5]), msPart);
    const year = new Date(now).getUTCFullYear();
    t = at(year) > now + 2 * 86_400_000 ? at(year - 1) : at(year);
  } else {
    t = Date.parse(m.timestamp);
  }
  if (!Number.isFinite(t)) return null;
  const iso = new Date(t).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)} UTC`;
}
