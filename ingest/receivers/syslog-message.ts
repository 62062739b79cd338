/**
 * The envelope of one syslog message as received: RFC 5424 (`<PRI>1 TS HOST APP PROCID MSGID SD MSG`) or
 * RFC 3164 / BSD (`<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG`, also with an RFC 3339 stamp as rsyslog's
 * `RSYSLOG_ForwardFormat` sends it). Only what routing and adaptation need; the normalizers parse the line again.
 */
export interface SyslogMessage {
  readonly format: 'rfc5424' | 'rfc3164';
  /** PRI value, or -1 when the message had none (RFC 3164 allows relays to omit it). */
  readonly pri: number;
  /** Timestamp text as sent ('' for the RFC 5424 NILVALUE). */
  readonly timestamp: string;
  /** '' when absent (RFC 5424 `-`, or an RFC 3164 sender that puts the tag right after the time). */
  readonly hostname: string;
  /** APP-NAME, or the RFC 3164 tag without `[pid]` (`sshd`, `sshd(pam_google_authenticator)`, `postgres`). */
  readonly app: string;
  readonly procid: string;
  readonly msg: string;
  /** Index in the text where HOSTNAME would go (RFC 3164 without hostname: where the sender IP is inserted). */
  readonly host_at: number;
}

const MAX_PRI = 191;
const BSD_STAMP = /^([A-Z][a-z]{2}) ( ?\d|\d\d) (\d\d):(\d\d):(\d\d)(?:\.\d{1,6})? /;
const ISO_STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d)? /;
const MONTHS = new Set(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']);
// A tag: program (no spaces, may carry `(pam_x)`), optional [pid], then ':'. A hostname never ends in ':'.
const TAG = /^([^\s[\]:]+(?:\([^\s)]*\))?)(?:\[([^\]\s]*)\])?:(?: |$)/;

/** Parses one message (no trailing newline), or returns null when it is neither RFC 5424 nor RFC 3164. */
export function parseSyslogMessage(text: string): SyslogMessage | null {
  let pri = -1;
  let i = 0;
  const m = /^<(\d{1,3})>/.exec(text);
  if (m) {
    pri = Number(m[1]);
    if (pri > MAX_PRI) return null;
    i = m[0].length;
  }
  if (pri >= 0 && text.startsWith('1 ', i)) return parse5424(text, pri, i + 2);
  return parse3164(text, pri, i);
}

function parse5424(text: string, pri: number, start: number): SyslogMessage | null {
  const fields: string[] = [];
  let i = start;
  for (let k = 0; k < 5; k++) {
    const sp = text.indexOf(' ', i);
    if (sp < 0) return null;
    fields.push(text.slice(i, sp));
    i = sp + 1;
  }
  const [timestamp, hostname, app, procid, msgid] = fields as [string, string, string, string, string];
  if ([timestamp, hostname, app, procid, msgid].some((f) => f === '')) return null;
  if (timestamp !== '-' && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(timestamp)) return null;
  const afterSd = skipStructuredData(text, i);
  if (afterSd < 0) return null;
  const msg = text.slice(afterSd).replace(/^ /, '').replace(/^\uFEFF/, '');
  const nil = (v: string): string => (v === '-' ? '' : v);
  const hostAt = start + timestamp.length + 1;
  return { format: 'rfc5424', pri, timestamp: nil(timestamp), hostname: nil(hostname), app: nil(app), procid: nil(procid), msg, host_at: hostAt };
}

/** Index just after STRUCTURED-DATA (`-` or `[id k="v"]...`), or -1 when malformed. */
function skipStructuredData(text: string, start: number): number {
  if (text[start] === '-') return start + 1;
  let i = start;
  if (text[i] !== '[') return -1;
  while (text[i] === '[') {
    let quoted = false;
    for (i++; i < text.length; i++) {
      const c = text[i];
      if (quoted && c === '\\') { i++; continue; }
      if (c === '"') quoted = !quoted;
      else if (c === ']' && !quoted) break;
    }
    if (i >= text.length) return -1;
    i++;
  }
  return i;
}

function parse3164(text: string, pri: number, start: number): SyslogMessage | null {
  const rest = text.slice(start);
  const bsd = BSD_STAMP.exec(rest);
  const iso = bsd ? null : ISO_STAMP.exec(rest);
  const stamp = bsd ?? iso;
  if (!stamp) return null;
  if (bsd && !MONTHS.has(bsd[1] as string)) return null;
  const timestamp = stamp[0].trimEnd();
  const hostAt = start + stamp[0].length;
  let body = text.slice(hostAt);
  let hostname = '';
  if (!TAG.test(body)) {
    const sp = body.indexOf(' ');
    if (sp <= 0) return null;
    hostname = body.slice(0, sp);
    body = body.slice(sp + 1);
  }
  const tag = TAG.exec(body);
  if (!tag) return { format: 'rfc3164', pri, timestamp, hostname, app: '', procid: '', msg: body, host_at: hostAt };
  return { format: 'rfc3164', pri, timestamp, hostname, app: tag[1] as string, procid: tag[2] ?? '', msg: body.slice(tag[0].length), host_at: hostAt };
}
