import type { Store } from '../../schema/store/store.ts';
import { FindingRecord } from '../../schema/finding.ts';
import { RevocationRecord } from '../../schema/revocation.ts';
import { SessionRecord } from '../../schema/session.ts';
import { chOf, FINAL_SETTINGS, isoOf, queryRows } from './events.ts';
import { tokenTime } from './version.ts';

/** How one recomputed table is keyed and typed. */
interface TableSpec<R> {
  readonly table: string;
  /** Column the window filters on (first column of the sort key). */
  readonly timeColumn: string;
  /** The sort key of a record: what a tombstone must copy exactly. */
  readonly keyOf: (r: R) => string;
  readonly columns: readonly string[];
  readonly timeKeys: readonly string[];
  /** Int64 columns, which ClickHouse prints as strings. */
  readonly intKeys: readonly string[];
  /** The table's zod schema: every row written is validated against it. */
  readonly parse: (r: unknown) => R;
}

const SESSIONS: TableSpec<SessionRecord> = {
  table: 'sessions', timeColumn: 'started_at', keyOf: (r) => `${r.started_at}|${r.session_key}`,
  columns: Object.keys(SessionRecord.shape), timeKeys: ['started_at', 'ended_at'], intKeys: ['mfa_age_seconds'], parse: (r) => SessionRecord.parse(r),
};
const FINDINGS: TableSpec<FindingRecord> = {
  table: 'findings', timeColumn: 'event_time', keyOf: (r) => `${r.event_time}|${r.finding_id}`,
  columns: Object.keys(FindingRecord.shape), timeKeys: ['event_time'], intKeys: [], parse: (r) => FindingRecord.parse(r),
};
const REVOCATIONS: TableSpec<RevocationRecord> = {
  table: 'revocations', timeColumn: 'trigger_time', keyOf: (r) => `${r.trigger_time}|${r.person}`,
  columns: Object.keys(RevocationRecord.shape), timeKeys: ['trigger_time', 'closed_at'], intKeys: [], parse: (r) => RevocationRecord.parse(r),
};

function selectList(spec: { columns: readonly string[]; timeKeys: readonly string[] }): string {
  return spec.columns.map((c) => (spec.timeKeys.includes(c) ? `toString(${c}) AS ${c}__s` : c)).join(', ');
}

/** A stored row back into record form (ISO times, numbers), so it compares equal to a fresh record. */
function fromStored<R extends object>(spec: TableSpec<R>, row: Record<string, unknown>): R {
  const out: Record<string, unknown> = {};
  for (const c of spec.columns) {
    const v = spec.timeKeys.includes(c) ? row[`${c}__s`] : row[c];
    if (spec.timeKeys.includes(c)) out[c] = typeof v === 'string' ? isoOf(v) : null;
    else if (spec.intKeys.includes(c)) out[c] = v === null || v === undefined ? null : Number(v);
    else out[c] = v;
  }
  return out as R;
}

function canonical(spec: { columns: readonly string[] }, r: object): string {
  const rec = r as Record<string, unknown>;
  return JSON.stringify(spec.columns.map((c) => rec[c] ?? null));
}

/**
 * Replaces the stored rows of [a, b) with `rows`: unchanged rows are left alone, changed or new rows are
 * written with the new version, rows no longer produced get a tombstone (same sort key, is_deleted = 1).
 * Returns how many rows were written and tombstoned.
 */
async function replaceWindow<R extends object>(store: Store, spec: TableSpec<R>, a: number, b: number, rows: readonly R[], token: number): Promise<{ written: number; deleted: number }> {
  const stored = await queryRows<Record<string, unknown>>(store,
    `SELECT ${selectList(spec)} FROM ${spec.table} FINAL
     WHERE ${spec.timeColumn} >= {a:DateTime64(3, 'UTC')} AND ${spec.timeColumn} < {b:DateTime64(3, 'UTC')} ${FINAL_SETTINGS}`, { a: chOf(a), b: chOf(b) });
  const before = new Map<string, string>();
  const beforeRows = new Map<string, R>();
  for (const s of stored) {
    const r = fromStored(spec, s);
    before.set(spec.keyOf(r), canonical(spec, r));
    beforeRows.set(spec.keyOf(r), r);
  }
  const computed_at = tokenTime(token);
  const seen = new Set<string>();
  const writes: object[] = [];
  for (const r of rows) {
    const k = spec.keyOf(r);
    seen.add(k);
    if (before.get(k) === canonical(spec, r)) continue;
    writes.push({ ...spec.parse(r), computed_at, is_deleted: 0 });
  }
  const written = writes.length;
  for (const [k, r] of beforeRows) if (!seen.has(k)) writes.push({ ...r, computed_at, is_deleted: 1 });
  // NOTE: one insert per window: a day is inside one partition, so a crash leaves the old or the new day, never a mix.
  await store.insertRows(spec.table, writes, spec.timeKeys);
  return { written, deleted: writes.length - written };
}

/** Rewrites the sessions that started in [a, b). */
export function replaceSessions(store: Store, a: number, b: number, rows: readonly SessionRecord[], token: number): Promise<{ written: number; deleted: number }> {
  return replaceWindow(store, SESSIONS, a, b, rows, token);
}

/** Rewrites the findings whose event_time is in [a, b). */
export function replaceFindings(store: Store, a: number, b: number, rows: readonly FindingRecord[], token: number): Promise<{ written: number; deleted: number }> {
  return replaceWindow(store, FINDINGS, a, b, rows, token);
}

/** Rewrites the revocation episodes whose trigger is in [a, b). */
export function replaceRevocations(store: Store, a: number, b: number, rows: readonly RevocationRecord[], token: number): Promise<{ written: number; deleted: number }> {
  return replaceWindow(store, REVOCATIONS, a, b, rows, token);
}
