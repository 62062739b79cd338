import { z } from 'zod';
import { chOf, isoOf } from '../../ingest/correlate/events.ts';
import { FindingKind, type FindingRecord } from '../../schema/finding.ts';
import { MfaBinding, SessionRecord, Surface } from '../../schema/session.ts';
import type { Store } from '../../schema/store/store.ts';

/** Filters shared by the sessions and findings listings (API query / CLI options). */
export const RecordFilters = z.object({
  person: z.string().max(512).optional(),
  identity: z.string().max(512).optional(),
  resource: z.string().max(512).optional(),
  surface: Surface.optional(),
  binding: MfaBinding.optional(),
  kind: FindingKind.optional(),
  privileged: z.enum(['true', 'false']).optional(),
  session_key: z.string().max(64).optional(),
});
export type RecordFilters = z.infer<typeof RecordFilters>;

/** A keyset position: the sort time (ClickHouse text) and key of the last row of the previous page. */
export interface Keyset { t: string; id: string }

/** One page of rows and the position after its last row (null when there is no next page). */
export interface Page<R> { rows: R[]; next: Keyset | null }

const T = "DateTime64(3, 'UTC')";
const SESSION_COLUMNS = Object.keys(SessionRecord.shape);
const FINDING_COLUMNS = ['finding_id', 'kind', 'person', 'identity', 'resource', 'surface', 'session_key', 'event_time', 'evidence_event_ids', 'detail', 'privileged'];

function select(columns: readonly string[], times: readonly string[]): string {
  return columns.map((c) => (times.includes(c) ? `toString(${c}) AS ${c}__s` : c)).join(', ');
}

function fromRow(row: Record<string, unknown>, times: readonly string[], ints: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k.endsWith('__s')) out[k.slice(0, -3)] = typeof v === 'string' ? isoOf(v) : null;
    else if (ints.includes(k)) out[k] = v === null ? null : Number(v);
    else out[k] = v;
  }
  for (const t of times) if (!(t in out)) out[t] = null;
  return out;
}

function where(f: RecordFilters, timeCol: string, period: { from?: number; to?: number }, findings: boolean): { sql: string[]; params: Record<string, unknown> } {
  const sql: string[] = [];
  const params: Record<string, unknown> = {};
  const eq = (col: string, v: string | undefined, name = col): void => { if (v !== undefined) { sql.push(`${col} = {${name}:String}`); params[name] = v; } };
  eq('person', f.person?.toLowerCase());
  eq('identity', f.identity);
  eq('resource', f.resource);
  eq('surface', f.surface);
  eq('session_key', f.session_key);
  if (findings) {
    eq('kind', f.kind);
    if (f.binding) { sql.push('session_key IN (SELECT session_key FROM sessions FINAL WHERE mfa_binding = {binding:String})'); params.binding = f.binding; }
  } else {
    eq('mfa_binding', f.binding, 'binding');
    if (f.kind) { sql.push('session_key IN (SELECT session_key FROM findings FINAL WHERE kind = {kind:String})'); params.kind = f.kind; }
  }
  if (f.privileged) { sql.push('privileged = {privileged:Bool}'); params.privileged = f.privileged === 'true'; }
  if (period.from !== undefined) { sql.push(`${timeCol} >= {from:${T}}`); params.from = chOf(period.from); }
  if (period.to !== undefined) { sql.push(`${timeCol} < {to:${T}}`); params.to = chOf(period.to); }
  return { sql, params };
}

async function page<R>(store: Store, table: string, columns: readonly string[], times: readonly string[], ints: readonly string[], timeCol: string, keyCol: string,
  f: RecordFilters, period: { from?: number; to?: number }, limit: number, after: Keyset | null): Promise<Page<R>> {
  const w = where(f, timeCol, period, table === 'findings');
  if (after) { w.sql.push(`(${timeCol}, ${keyCol}) < ({ct:${T}}, {cid:String})`); w.params.ct = after.t; w.params.cid = after.id; }
  const rows = await store.query<Record<string, unknown>>(
    `SELECT ${select(columns, times)}, toString(${timeCol}) AS _t FROM ${table} FINAL ${w.sql.length ? `WHERE ${w.sql.join(' AND ')}` : ''}
     ORDER BY ${timeCol} DESC, ${keyCol} DESC LIMIT {limit:UInt32}`, { ...w.params, limit: limit + 1 });
  const list = rows.slice(0, limit);
  const last = list[list.length - 1];
  const next = rows.length > limit && last ? { t: String(last._t), id: String(last[keyCol]) } : null;
  return { rows: list.map(({ _t, ...r }) => fromRow(r, times, ints) as R), next };
}

/** Sessions, newest first, filtered and keyset-paginated. */
export function listSessions(store: Store, f: RecordFilters, period: { from?: number; to?: number }, limit: number, after: Keyset | null): Promise<Page<SessionRecord>> {
  return page<SessionRecord>(store, 'sessions', SESSION_COLUMNS, ['started_at', 'ended_at'], ['mfa_age_seconds'], 'started_at', 'session_key', f, period, limit, after);
}

/** Findings, newest first, filtered and keyset-paginated. */
export function listFindings(store: Store, f: RecordFilters, period: { from?: number; to?: number }, limit: number, after: Keyset | null): Promise<Page<FindingRecord>> {
  return page<FindingRecord>(store, 'findings', FINDING_COLUMNS, ['event_time'], [], 'event_time', 'finding_id', f, period, limit, after);
}
