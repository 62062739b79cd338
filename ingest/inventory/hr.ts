import { readFile } from 'node:fs/promises';
import { parseCsvLine } from './csv-line.ts';
import type { Clock } from '../../core/clock.ts';
import { OffboardingRow } from '../../schema/offboarding.ts';
import type { Store } from '../../schema/store/store.ts';
import { dayOf, markDirtyDays } from '../correlate/dirty.ts';
import { listFiles } from '../files/read-records.ts';
import { sha256Hex, toIsoMs } from '../normalizers/common.ts';
import { deadLetterOf, emptyCounts, type BatchCounts } from '../pipeline.ts';

/** A CSV line that could not become an offboarding row. */
export interface HrReject {
  readonly line: number;
  readonly reason: string;
  readonly raw: string;
}

/** Parsed rows (without import bookkeeping) and rejected lines. */
export interface HrParseResult {
  readonly rows: Omit<OffboardingRow, 'imported_at'>[];
  readonly rejects: HrReject[];
}

const HEADER = ['person', 'time', 'reason'];

/** Date-only values mean the start of that day (UTC); instants need a zone, like every other source. */
function timeOf(value: string): string | null {
  const v = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return toIsoMs(`${v}T00:00:00Z`);
  return toIsoMs(v);
}

/**
 * Parses an HR/offboarding CSV: columns `person,time[,reason]` (a header row with these names is optional and
 * may order them differently). person = email or any alias the identity config knows; time = ISO-8601 instant
 * with zone, or a date (midnight UTC). Bad lines are rejected with a reason, never guessed.
 */
export function parseOffboardingCsv(text: string, ref: string): HrParseResult {
  const lines = text.split(/\r?\n/);
  const rows: Omit<OffboardingRow, 'imported_at'>[] = [];
  const rejects: HrReject[] = [];
  let cols = { person: 0, time: 1, reason: 2 };
  lines.forEach((raw, i) => {
    const line = i === 0 ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.trim() === '' || line.trim().startsWith('#')) return;
    const f = parseCsvLine(line);
    if (f === null) { rejects.push({ line: i + 1, reason: 'invalid_csv', raw }); return; }
    const lower = f.map((x) => x.toLowerCase());
    if (rows.length === 0 && rejects.length === 0 && lower.includes('person') && lower.includes('time')) {
      cols = { person: lower.indexOf('person'), time: lower.indexOf('time'), reason: lower.indexOf('reason') };
      if (!lower.every((h) => HEADER.includes(h))) rejects.push({ line: i + 1, reason: 'unknown_column', raw });
      return;
    }
    const person = (f[cols.person] ?? '').trim().toLowerCase();
    const timeText = f[cols.time] ?? '';
    if (person === '' || timeText.trim() === '') { rejects.push({ line: i + 1, reason: 'missing_field', raw }); return; }
    const time = timeOf(timeText);
    if (time === null) { rejects.push({ line: i + 1, reason: 'invalid_time', raw }); return; }
    const reason = cols.reason >= 0 ? (f[cols.reason] ?? '') : '';
    rows.push({ person, offboarded_at: time, reason, input_ref: `${ref}:${i + 1}`, row_sha256: sha256Hex(`${person}\u001f${time}\u001f${reason}`) });
  });
  return { rows, rejects };
}

/**
 * `accessproof ingest --source hr <csv...>`: offboarding rows → `offboarding` (idempotent on person, time and
 * row content), rejects → dead_letters; the days the rows can change are marked for re-correlation.
 */
export async function importOffboarding(store: Store, paths: readonly string[], clock: Clock, lookaheadDays = 7): Promise<BatchCounts> {
  const counts = emptyCounts();
  const dirty = new Set<string>();
  for await (const file of listFiles(paths)) {
    const { rows, rejects } = parseOffboardingCsv(await readFile(file, 'utf8'), file);
    counts.read += rows.length + rejects.length;
    const now = clock.now().toISOString();
    if (rows.length > 0) {
      const known = await store.query<{ row_sha256: string }>(
        'SELECT DISTINCT row_sha256 FROM offboarding WHERE row_sha256 IN {ids:Array(String)}', { ids: rows.map((r) => r.row_sha256) });
      const seen = new Set(known.map((k) => k.row_sha256));
      const fresh = rows.filter((r) => !seen.has(r.row_sha256)).map((r) => OffboardingRow.parse({ ...r, imported_at: now }));
      counts.duplicates += rows.length - fresh.length;
      counts.stored += fresh.length;
      await store.insertRows('offboarding', fresh, ['offboarded_at', 'imported_at']);
      // An offboarding trigger changes revocation timing and post-revocation findings up to the lookahead after it.
      for (const r of fresh) for (let i = -1; i <= lookaheadDays; i++) dirty.add(dayOf(Date.parse(r.offboarded_at) + i * 86_400_000));
    }
    counts.events += rows.length;
    await store.insertDeadLetters(rejects.map((r) => deadLetterOf({ source: 'hr', raw: r.raw, input_ref: `${file}:${r.line}`, received_at: now }, 'normalize', r.reason, '')));
    counts.dead_lettered += rejects.length;
  }
  await markDirtyDays(store, dirty);
  return counts;
}
