import { parseCsvLine } from '../inventory/csv-line.ts';
import { AccountRow } from '../../schema/account.ts';
import { toIsoMs } from './common.ts';

/** A report line that could not become an AccountRow; `line` is 1-based (0 = the call itself). */
export interface CredentialReportReject {
  readonly line: number;
  readonly reason: string;
  readonly raw: string;
}

/** Parsed rows and the lines that were rejected, with a short reason code each. */
export interface CredentialReportResult {
  readonly rows: AccountRow[];
  readonly rejects: CredentialReportReject[];
}

/** Columns this parser reads; others (rotation dates, regions, certificates) are ignored by name. */
const REQUIRED_COLUMNS = [
  'user', 'arn', 'user_creation_time', 'password_enabled', 'password_last_used', 'mfa_active',
  'access_key_1_active', 'access_key_1_last_used_date', 'access_key_2_active', 'access_key_2_last_used_date',
] as const;
type Column = (typeof REQUIRED_COLUMNS)[number];

/** `N/A` (no such credential / never used), `no_information` (before 2014 tracking), `not_supported` (root). */
const PLACEHOLDERS = new Set(['', 'n/a', 'no_information', 'not_supported']);
const ARN = /^arn:aws[a-z-]*:iam::(\d{12}):(root|user\/.+)$/;

/** A value conversion failure, carried as the row's reject reason. */
class RowProblem {
  constructor(readonly reason: string) {}
}

function bool(value: string): boolean | RowProblem {
  const v = value.toLowerCase();
  if (v === 'true') return true;
  if (v === 'false' || PLACEHOLDERS.has(v)) return false;
  return new RowProblem('invalid_value');
}

function time(value: string): string | null | RowProblem {
  if (PLACEHOLDERS.has(value.toLowerCase())) return null;
  return toIsoMs(value) ?? new RowProblem('invalid_time');
}

function latest(...times: (string | null)[]): string | null {
  const present = times.filter((t): t is string => t !== null).sort();
  return present.length > 0 ? present[present.length - 1] : null;
}

function rowFrom(get: (c: Column) => string, snapshot: string): AccountRow | RowProblem {
  const arn = get('arn');
  const m = ARN.exec(arn);
  if (!m) return new RowProblem('invalid_arn');
  let problem: RowProblem | null = null;
  const b = (c: Column): boolean => {
    const v = bool(get(c));
    if (v instanceof RowProblem) problem ??= v;
    return v === true;
  };
  const t = (c: Column): string | null => {
    const v = time(get(c));
    if (v instanceof RowProblem) {
      problem ??= v;
      return null;
    }
    return v;
  };
  const isRoot = m[2] === 'root';
  const passwordLastUsed = t('password_last_used');
  const key1LastUsed = t('access_key_1_last_used_date');
  const key2LastUsed = t('access_key_2_last_used_date');
  const candidate = {
    source: 'aws_credential_report',
    account_id: m[1],
    // NOTE: root's user is its ARN, the same canonical actor CloudTrail events carry.
    user: isRoot ? arn : get('user'),
    arn,
    is_root: isRoot,
    password_enabled: b('password_enabled'),
    password_last_used: passwordLastUsed,
    mfa_active: b('mfa_active'),
    access_key_1_active: b('access_key_1_active'),
    access_key_1_last_used: key1LastUsed,
    access_key_2_active: b('access_key_2_active'),
    access_key_2_last_used: key2LastUsed,
    user_creation_time: t('user_creation_time'),
    last_used: latest(passwordLastUsed, key1LastUsed, key2LastUsed),
    snapshot_time: snapshot,
  };
  if (problem !== null) return problem;
  const checked = AccountRow.safeParse(candidate);
  return checked.success ? checked.data : new RowProblem('invalid_row');
}

/**
 * Parses a decoded `GetCredentialReport` CSV into AccountRows. Columns are matched by header name.
 * Never throws: a bad header, short/long rows, `;`-separated rows, broken quoting and unparseable values
 * become rejects with a reason (`invalid_header`, `wrong_delimiter`, `short_row`, `long_row`,
 * `invalid_csv`, `invalid_arn`, `invalid_value`, `invalid_time`, `duplicate_header`).
 */
export function parseCredentialReport(csvText: string, snapshotTime: string): CredentialReportResult {
  const snapshot = toIsoMs(snapshotTime);
  if (snapshot === null) return { rows: [], rejects: [{ line: 0, reason: 'invalid_time', raw: snapshotTime }] };
  const lines = csvText.replace(/^\uFEFF/, '').split(/\r?\n/);
  const rows: AccountRow[] = [];
  const rejects: CredentialReportReject[] = [];
  let header: string[] | null = null;
  let headerFailed = false;
  let index = new Map<string, number>();
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (raw.trim() === '') continue;
    const line = i + 1;
    const fields = parseCsvLine(raw);
    const wrongDelimiter = fields !== null && fields.length === 1 && raw.includes(';');
    if (header === null) {
      const names = (fields ?? []).map((f) => f.toLowerCase());
      const ok = !headerFailed && fields !== null && REQUIRED_COLUMNS.every((c) => names.includes(c));
      if (ok) {
        header = names;
        index = new Map(names.map((n, k) => [n, k]));
      } else {
        // Without a usable header no line can be read; every line is kept as a reject.
        rejects.push({ line, reason: headerFailed ? 'invalid_header' : wrongDelimiter ? 'wrong_delimiter' : 'invalid_header', raw });
        headerFailed = true;
      }
      continue;
    }
    const reason = fields === null ? 'invalid_csv'
      : wrongDelimiter ? 'wrong_delimiter'
      : fields.map((f) => f.toLowerCase()).join(',') === header.join(',') ? 'duplicate_header'
      : fields.length < header.length ? 'short_row'
      : fields.length > header.length ? 'long_row' : '';
    if (reason !== '' || fields === null) {
      rejects.push({ line, reason: reason || 'invalid_csv', raw });
      continue;
    }
    const row = rowFrom((c) => fields[index.get(c) ?? -1] ?? '', snapshot);
    if (row instanceof RowProblem) rejects.push({ line, reason: row.reason, raw });
    else rows.push(row);
  }
  return { rows, rejects };
}
