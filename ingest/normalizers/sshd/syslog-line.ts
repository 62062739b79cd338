import { toIsoMs } from '../common.ts';

/**
 * Envelope of one auth-log line, whatever the transport: RFC 3164 (`Mar 11 10:05:19 host prog[pid]: msg`,
 * optional `<PRI>`), rsyslog high-precision file format (`2025-03-11T09:02:29.004118+00:00 host prog[pid]: msg`),
 * RFC 5424 (`<38>1 ts host app procid msgid [sd] msg`) and `journalctl -o json` objects.
 */
export interface SyslogLine {
  readonly format: 'rfc3164' | 'file' | 'rfc5424' | 'journald';
  readonly host: string;
  /** Program tag without the pid: `sshd`, `sshd-session`, `sshd(pam_google_authenticator)`, `sudo`. */
  readonly program: string;
  /** '' when the line carries none (sudo over RFC 3164, `-` in RFC 5424). */
  readonly pid: string;
  readonly message: string;
  /** Zone-qualified (or assumed-UTC) timestamp text; '' for RFC 3164 (see `stamp`). */
  readonly timestamp: string;
  /** RFC 3164 only: the year-less stamp. */
  readonly stamp?: { readonly month: number; readonly day: number; readonly hour: number; readonly minute: number; readonly second: number; readonly ms: number };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const RFC3164 = /^(?:<\d{1,3}>)?([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))? (\S+) (.*)$/;
const FILE_FORMAT = /^(?:<\d{1,3}>)?(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?) (\S+) (.*)$/;
const RFC5424_HEAD = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) /;
const TAG = /^([^\s[:]+)(?:\[(\d+)\])?: ?(.*)$/;
/** Largest plausible PRI (facility 23 * 8 + severity 7). */
const MAX_PRI = 191;
/** A year-less stamp more than this after the reference time belongs to the previous year. */
const ROLLOVER_MS = 2 * 24 * 3600 * 1000;

/** Parses one line's envelope, or null when it is not a syslog/journald line. */
export function parseSyslogLine(line: string): SyslogLine | null {
  const text = line.replace(/\s+$/, '');
  if (text.startsWith('{')) return parseJournald(text);
  if (text.startsWith('<') && RFC5424_HEAD.test(text)) return parseRfc5424(text);
  const file = FILE_FORMAT.exec(text);
  if (file) return withTag('file', file[1], file[2], file[3]);
  const bsd = RFC3164.exec(text);
  if (!bsd) return null;
  const month = MONTHS.indexOf(bsd[1]);
  if (month < 0) return null;
  const tagged = withTag('rfc3164', '', bsd[7], bsd[8]);
  if (!tagged) return null;
  const frac = bsd[6] ?? '';
  return {
    ...tagged,
    stamp: {
      month, day: Number(bsd[2]), hour: Number(bsd[3]), minute: Number(bsd[4]), second: Number(bsd[5]),
      ms: frac === '' ? 0 : Math.floor(Number(`0.${frac}`) * 1000),
    },
  };
}

function withTag(format: SyslogLine['format'], timestamp: string, host: string, rest: string): SyslogLine | null {
  const m = TAG.exec(rest);
  if (!m) return null;
  return { format, host, program: m[1], pid: m[2] ?? '', message: m[3].trim(), timestamp };
}

function parseRfc5424(text: string): SyslogLine | null {
  const head = RFC5424_HEAD.exec(text);
  if (!head || Number(head[1]) > MAX_PRI) return null;
  const afterSd = skipStructuredData(text, head[0].length);
  if (afterSd < 0) return null;
  const message = text.slice(afterSd).replace(/^\uFEFF/, '').trim();
  const nil = (v: string): string => (v === '-' ? '' : v);
  return { format: 'rfc5424', timestamp: nil(head[2]), host: nil(head[3]), program: nil(head[4]), pid: nil(head[5]), message };
}

/** Index just after the STRUCTURED-DATA field (`-` or `[id k="v"]...`), or -1 when it is malformed. */
function skipStructuredData(text: string, start: number): number {
  if (text[start] === '-') return start + 1;
  let i = start;
  if (text[i] !== '[') return -1;
  while (text[i] === '[') {
    let inQuote = false;
    i++;
    for (; i < text.length; i++) {
      const c = text[i];
      if (inQuote && c === '\\') { i++; continue; }
      if (c === '"') inQuote = !inQuote;
      else if (c === ']' && !inQuote) break;
    }
    if (i >= text.length) return -1;
    i++;
  }
  return i;
}

function parseJournald(text: string): SyslogLine | null {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return null;
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return null;
  const o = doc as Record<string, unknown>;
  const s = (k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');
  const micros = s('__REALTIME_TIMESTAMP');
  if (!/^\d{13,17}$/.test(micros) || s('MESSAGE') === '') return null;
  const iso = toIsoMs(Number(micros) / 1000);
  if (!iso) return null;
  return {
    format: 'journald', timestamp: iso, host: s('_HOSTNAME'),
    program: s('SYSLOG_IDENTIFIER') || s('_COMM'), pid: s('SYSLOG_PID') || s('_PID'), message: s('MESSAGE').trim(),
  };
}

/**
 * The line's instant as ISO UTC with ms, or null. RFC 3164 has no year and no zone: the zone is taken as
 * UTC and the year from `referenceIso` (the ingestion time), stepping back a year when the stamp would lie
 * more than two days after it (December lines read in January).
 */
export function resolveLineTime(line: SyslogLine, referenceIso: string): string | null {
  if (!line.stamp) return line.timestamp === '' ? null : toIsoMs(line.timestamp, { assumeUtcIfNoZone: true });
  const ref = Date.parse(referenceIso);
  if (!Number.isFinite(ref)) return null;
  const { month, day, hour, minute, second, ms } = line.stamp;
  let year = new Date(ref).getUTCFullYear();
  let t = Date.UTC(year, month, day, hour, minute, second, ms);
  if (t > ref + ROLLOVER_MS) {
    year -= 1;
    t = Date.UTC(year, month, day, hour, minute, second, ms);
  }
  const d = new Date(t);
  // Reject impossible calendar dates (Feb 30) rather than letting Date roll them over.
  if (d.getUTCMonth() !== month || d.getUTCDate() !== day || hour > 23 || minute > 59 || second > 60) return null;
  return toIsoMs(t);
}

/**
 * A comparable clock reading for assembler windows, without a reference year. Year-less stamps
 * live on their own clock (family `yearless`, fixed leap year) so they are never compared with absolute ones.
 */
export function lineClock(line: SyslogLine): { readonly family: 'absolute' | 'yearless'; readonly ms: number } | null {
  if (line.stamp) {
    const { month, day, hour, minute, second, ms } = line.stamp;
    return { family: 'yearless', ms: Date.UTC(2000, month, day, hour, minute, second, ms) };
  }
  const iso = line.timestamp === '' ? null : toIsoMs(line.timestamp, { assumeUtcIfNoZone: true });
  return iso ? { family: 'absolute', ms: Date.parse(iso) } : null;
}
