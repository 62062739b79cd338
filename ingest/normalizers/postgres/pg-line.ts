import { toIsoMs } from '../common.ts';

/** One PostgreSQL stderr/syslog-file log message (continuation lines already joined into `message`). */
export interface PgLine {
  /** ISO UTC instant, or '' when the stamp has no usable zone or is impossible. */
  readonly iso: string;
  readonly pid: string;
  /** From `%u@%d` (or `user=`/`db=` prefix fields); '' for `[unknown]` or a prefix without them. */
  readonly user: string;
  readonly database: string;
  /** `%c` session id when the prefix has it. */
  readonly session_id: string;
  readonly severity: string;
  readonly message: string;
}

const SEVERITIES = 'DEBUG[1-5]?|INFO|NOTICE|WARNING|ERROR|LOG|FATAL|PANIC|DETAIL|HINT|CONTEXT|STATEMENT|QUERY|LOCATION';
// `%m` / `%t` (+ zone) then the rest of log_line_prefix, then `SEVERITY:  message` (two spaces).
const LINE = new RegExp(
  `^(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,6})?)(?: ([A-Za-z]{1,6}|[+-]\\d{2}(?::?\\d{2})?))?[ :](.*?)\\b(${SEVERITIES}):  ?([\\s\\S]*)$`,
);
// Amazon RDS / Aurora fixed prefix `%t:%r:%u@%d:[%p]:`.
const RDS_TAIL = /^(.*?):(.*)@(.*?):\[(\d+)\]:$/;
const PID = /\[(\d+)(?:-\d+)?\]/;

/** Parses the prefix and severity of one message line; null when the prefix is not a PostgreSQL log prefix. */
export function parsePgLine(text: string): PgLine | null {
  const m = LINE.exec(text);
  if (!m) return null;
  const tail = m[3];
  let pid = '';
  let user = '';
  let database = '';
  let sessionId = '';
  const rds = RDS_TAIL.exec(tail);
  if (rds) {
    [user, database, pid] = [rds[2], rds[3], rds[4]];
  } else {
    pid = PID.exec(tail)?.[1] ?? '';
    for (const token of tail.trim().split(/\s+/)) {
      if (/^\[\d+(-\d+)?\]:?$/.test(token) || token === '') continue;
      if (/^[0-9a-f]+\.[0-9a-f]+$/.test(token)) { sessionId = token; continue; }
      const kv = /(?:^|,)user=([^,]*)/.exec(token);
      if (kv) {
        user = kv[1];
        database = /(?:^|,)db=([^,]*)/.exec(token)?.[1] ?? '';
        continue;
      }
      const at = token.lastIndexOf('@');
      if (at > 0 && user === '' && !token.includes('(')) {
        user = token.slice(0, at);
        database = token.slice(at + 1);
      }
    }
  }
  if (pid === '') return null;
  const unknown = (v: string): string => (v === '[unknown]' ? '' : v);
  return {
    iso: pgTime(m[1], m[2] ?? ''), pid, user: unknown(user), database: unknown(database), session_id: sessionId,
    severity: m[4], message: m[5],
  };
}

/**
 * `%m`/`%t` stamp → ISO. Only UTC names and numeric offsets are accepted: other zone abbreviations are
 * ambiguous (IST, CST) and a missing zone is a guess; both give '' (rejected as invalid_time). Set
 * `log_timezone = 'UTC'`.
 */
function pgTime(stamp: string, zone: string): string {
  let z: string;
  if (/^(UTC|GMT|UCT|Z)$/i.test(zone)) z = 'Z';
  else if (/^[+-]\d{2}$/.test(zone)) z = `${zone}:00`;
  else if (/^[+-]\d{2}:?\d{2}$/.test(zone)) z = zone;
  else return '';
  return toIsoMs(`${stamp.replace(' ', 'T')}${z}`) ?? '';
}

/** True for a continuation line of a multi-line message (PostgreSQL indents embedded newlines with a tab). */
export function isContinuation(line: string): boolean {
  return line.startsWith('\t');
}

/** Splits a record's raw text into messages, joining tab-indented continuation lines back with '\n'. */
export function splitMessages(raw: string): string[] {
  const out: string[] = [];
  for (const line of raw.split('\n')) {
    if (line.trim() === '' && !isContinuation(line)) continue;
    if (isContinuation(line) && out.length > 0) out[out.length - 1] += `\n${line.slice(1)}`;
    else out.push(line);
  }
  return out;
}
