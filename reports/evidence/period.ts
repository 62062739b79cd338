import { UsageError } from '../../core/errors.ts';
import { parsePeriod as parseMetricsPeriod } from '../metrics/metrics.ts';

// A pack's period is the metrics engine's period, so the pack's numbers are the dashboard's: half-open [from, to)
// in UTC; `from` as a date is that day's midnight, `to` as a date includes that whole day
// (`--from 2025-03-01 --to 2025-03-31` is March); ISO instants are used as given (`to` exclusive).
// The recorded generation time defaults to the period end (the exclusive `to` instant).

/** A validated period and generation time, as ISO instants (ms precision) and ClickHouse time text. */
export interface Period {
  readonly from: string;
  readonly to: string;
  readonly from_ms: number;
  readonly to_ms: number;
  readonly from_ch: string;
  readonly to_ch: string;
  readonly generated_at: string;
}

/** ClickHouse DateTime64(3) text of an ISO instant. */
export function chText(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** Parses an ISO instant with a time zone (or a date = midnight UTC) into ISO with ms. */
export function parseInstant(value: string, what: string): string {
  const s = value.trim();
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00.000Z` : s;
  const t = Date.parse(iso);
  if (!/^\d{4}-\d{2}-\d{2}/.test(s) || !Number.isFinite(t)) throw new UsageError(`${what}: expected YYYY-MM-DD or an ISO-8601 instant (got "${value}")`);
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(iso)) throw new UsageError(`${what}: an instant needs a time zone (Z or +hh:mm) (got "${value}")`);
  return new Date(t).toISOString();
}

/** Validates the period (at most 400 days) and the generation time. */
export function parsePeriod(from: string, to: string, generatedAt?: string): Period {
  const p = parseMetricsPeriod(from, to);
  if (p.to - p.from > 400 * 86_400_000) throw new UsageError('the period may span at most 400 days');
  const f = new Date(p.from).toISOString();
  const t = new Date(p.to).toISOString();
  return {
    from: f, to: t, from_ms: p.from, to_ms: p.to, from_ch: chText(f), to_ch: chText(t),
    generated_at: generatedAt ? parseInstant(generatedAt, '--generated-at') : t,
  };
}
