// Formatting and the reporting period. Everything is UTC, like the API and the reports.

const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1234 → "1,234"; missing → "–". */
export function formatInt(n) {
  return typeof n === 'number' && Number.isFinite(n) ? INT.format(n) : '–';
}

/**
 * 87.53 → "87.53%", 90 → "90%" (at most `digits` decimals, so an API value rounded to 2 decimals shows exactly as the
 * CLI and the PDF report print it); null → "–".
 */
export function formatPct(x, digits = 2) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '–';
  return `${x.toLocaleString('en-US', { maximumFractionDigits: digits, useGrouping: false })}%`;
}

/** Hours as the API gives them (at most 2 decimals), e.g. "3.25 h"; null (nothing revoked) → "–". */
export function formatHours(h) {
  return typeof h === 'number' && Number.isFinite(h) ? `${h.toLocaleString('en-US', { maximumFractionDigits: 2 })} h` : '–';
}

/** ISO instant → "2025-03-11 09:00:05" (UTC). */
export function formatTime(iso) {
  if (typeof iso !== 'string' || iso === '') return '–';
  return iso.replace('T', ' ').replace(/\.\d+Z?$/, '').replace(/Z$/, '');
}

/** Seconds → "45 s", "12 min", "3.2 h", "4.0 d". */
export function formatAge(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return '–';
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

/** snake_case value → words for labels ("idp_bound" → "idp bound"). */
export function humanize(s) {
  return String(s ?? '').replace(/_/g, ' ');
}

const pad = (n) => String(n).padStart(2, '0');
const ymd = (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

/**
 * The period sent to the API: `from` a date (00:00 UTC, inclusive), `to` an exclusive ISO instant at 00:00 UTC — an
 * instant, because the metrics API reads a bare `to` date as "through the end of that day".
 * last30: the 30 UTC days ending with today; month "YYYY-MM": that calendar month.
 */
export function periodRange(mode, month, now = new Date()) {
  if (mode === 'month' && /^\d{4}-\d{2}$/.test(month ?? '')) {
    const [y, m] = month.split('-').map(Number);
    return { from: ymd(new Date(Date.UTC(y, m - 1, 1))), to: `${ymd(new Date(Date.UTC(y, m, 1)))}T00:00:00.000Z`, label: month };
  }
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const from = new Date(today - 29 * 86400000);
  const to = new Date(today + 86400000);
  return { from: ymd(from), to: `${ymd(to)}T00:00:00.000Z`, label: 'Last 30 days' };
}

/** "YYYY-MM" of the current UTC month (the month picker's default and maximum). */
export function currentMonth(now = new Date()) {
  return `${now.getUTCFullYear()}-${pad(now.getUTCMonth() + 1)}`;
}

/** The last day included by an exclusive `to` date, for display ("2025-03-01" → "2025-02-28"). */
export function lastIncludedDay(to) {
  if (!/^\d{4}-\d{2}-\d{2}/.test(to ?? '')) return to ?? '';
  const t = Date.parse(`${to.slice(0, 10)}T00:00:00Z`);
  // An instant later than midnight is itself inside the period's last day.
  if (to.length > 10 && !/T00:00:00(\.000)?Z$/.test(to)) return to.slice(0, 10);
  return ymd(new Date(t - 86400000));
}
