import type { Store } from '../../schema/store/store.ts';

// The named, parameterized queries behind every file of a pack. Each run is logged with its parameter values and
// row count, and queries.sql prints them verbatim so an auditor can re-run them against the same store.
// Reads of correlated tables use FINAL (latest version of each row, tombstones removed); times are returned as
// ISO text so every artifact prints the same value.

const T = "DateTime64(3, 'UTC')";
/** ISO-8601 text (ms, Z) of a DateTime64(3, 'UTC') column. */
export const isoSql = (col: string): string => `concat(replaceOne(toString(${col}), ' ', 'T'), 'Z')`;
// NOTE: ISO columns are aliased `<column>_iso`, never the column's own name: ClickHouse substitutes an alias for
// a same-named column everywhere in the query (WHERE, aggregates), which would compare text with times.

/** One executed query as recorded in queries.sql. */
export interface QueryRun {
  readonly name: string;
  readonly purpose: string;
  readonly sql: string;
  readonly params: Readonly<Record<string, unknown>>;
  rows: number;
  /** How many times it ran (paged queries run once per page). */
  executions: number;
}

/** Records the runs of named queries for queries.sql. Paged runs of one query are merged into one entry. */
export interface QueryLog {
  run<R>(store: Store, name: string, purpose: string, sql: string, params: Record<string, unknown>, logParams?: Record<string, unknown>): Promise<R[]>;
  entries(): readonly QueryRun[];
}

/** Creates an empty query log. `logParams` replaces the logged parameter values (e.g. page cursors → their range). */
export function createQueryLog(): QueryLog {
  const runs = new Map<string, QueryRun>();
  return {
    async run<R>(store: Store, name: string, purpose: string, sql: string, params: Record<string, unknown>, logParams?: Record<string, unknown>): Promise<R[]> {
      const rows = await store.query<R>(sql, params);
      const prev = runs.get(name);
      if (prev) { prev.rows += rows.length; prev.executions++; } else runs.set(name, { name, purpose, sql, params: logParams ?? params, rows: rows.length, executions: 1 });
      return rows;
    },
    entries: () => [...runs.values()],
  };
}

const SESSION_COLUMNS = `session_key, ${isoSql('started_at')} AS started_at_iso, if(isNull(ended_at), NULL, ${isoSql('assumeNotNull(ended_at)')}) AS ended_at_iso,
  person, identity, identity_kind, resource, resource_type, environment, surface, path, privileged, mfa_binding, mfa_method,
  phishing_resistant, mfa_event_id, mfa_age_seconds, exemption_id, break_glass, source, event_count, event_ids`;

/** Population page: sessions that started in the period, in (started_at, session_key) order, after a keyset cursor. */
export const POPULATION_PAGE_SQL = `SELECT ${SESSION_COLUMNS}
FROM sessions FINAL
WHERE started_at >= {from:${T}} AND started_at < {to:${T}}
  AND (started_at, session_key) > ({after_t:${T}}, {after_key:String})
ORDER BY started_at, session_key
LIMIT {page_size:UInt32}`;

/** Findings tied to a page of sessions (any kind; the tests pick the kinds they cite). */
export const SESSION_FINDINGS_SQL = `SELECT session_key, finding_id, kind
FROM findings FINAL
WHERE session_key IN {keys:Array(String)}
ORDER BY session_key, kind, finding_id`;

/** Findings page: findings whose event time is in the period, in (event_time, finding_id) order. */
export const FINDINGS_PAGE_SQL = `SELECT finding_id, kind, person, identity, resource, surface, session_key, ${isoSql('event_time')} AS event_time_iso,
  evidence_event_ids, detail, privileged
FROM findings FINAL
WHERE event_time >= {from:${T}} AND event_time < {to:${T}}
  AND (event_time, finding_id) > ({after_t:${T}}, {after_key:String})
ORDER BY event_time, finding_id
LIMIT {page_size:UInt32}`;

/** Findings without a session (root/API use, long-lived keys, post-revocation access) of given kinds in the period. */
export const SESSIONLESS_FINDINGS_SQL = `SELECT finding_id, kind, person, identity, resource, surface, session_key, ${isoSql('event_time')} AS event_time_iso,
  evidence_event_ids, detail, privileged
FROM findings FINAL
WHERE event_time >= {from:${T}} AND event_time < {to:${T}} AND session_key = '' AND kind IN {kinds:Array(String)}
ORDER BY event_time, finding_id`;

/** Findings of given kinds in the period (session-linked or not), e.g. post-revocation access. */
export const FINDINGS_OF_KINDS_SQL = `SELECT finding_id, kind, person, identity, resource, surface, session_key, ${isoSql('event_time')} AS event_time_iso,
  evidence_event_ids, detail, privileged
FROM findings FINAL
WHERE event_time >= {from:${T}} AND event_time < {to:${T}} AND kind IN {kinds:Array(String)}
ORDER BY event_time, finding_id`;

/** Revocation episodes whose trigger is in the period. */
export const REVOCATIONS_SQL = `SELECT person, ${isoSql('trigger_time')} AS trigger_time_iso, trigger_kind, trigger_ref, ${isoSql('closed_at')} AS closed_at_iso,
  closing_ref, hours, over_sla, evidence_event_ids
FROM revocations FINAL
WHERE trigger_time >= {from:${T}} AND trigger_time < {to:${T}}
ORDER BY trigger_time, person`;

/** Exemptions folded from their append-only create/revoke rows. */
export const EXEMPTIONS_SQL = `SELECT exemption_id,
  argMaxIf(person_pattern, created_at, row_kind = 'create') AS person_pattern,
  argMaxIf(resource_pattern, created_at, row_kind = 'create') AS resource_pattern,
  argMaxIf(reason, created_at, row_kind = 'create') AS reason,
  argMaxIf(approver, created_at, row_kind = 'create') AS approver,
  ${isoSql("argMaxIf(starts_at, created_at, row_kind = 'create')")} AS starts_at_iso,
  ${isoSql("argMaxIf(expires_at, created_at, row_kind = 'create')")} AS expires_at_iso,
  argMaxIf(created_by, created_at, row_kind = 'create') AS created_by,
  if(countIf(row_kind = 'revoke') > 0, ${isoSql("minIf(assumeNotNull(revoked_at), row_kind = 'revoke')")}, NULL) AS revoked_at_iso,
  argMaxIf(revoked_by, created_at, row_kind = 'revoke') AS revoked_by
FROM exemptions
GROUP BY exemption_id
ORDER BY exemption_id`;

/** Session keys with at least one break-glass review. */
export const REVIEWED_SESSIONS_SQL = `SELECT DISTINCT session_key FROM break_glass_reviews ORDER BY session_key`;

/** Per-test reconciliation: the population and pass counts computed in SQL (must equal the streamed counts). */
export function testCountSql(populationSql: string, passSql: string): string {
  return `SELECT count() AS population, countIf(${passSql}) AS covered
FROM sessions FINAL
WHERE started_at >= {from:${T}} AND started_at < {to:${T}} AND (${populationSql})`;
}

/** Revocation reconciliation in SQL. */
export const REVOCATION_COUNT_SQL = `SELECT count() AS population, countIf(NOT over_sla) AS covered
FROM revocations FINAL
WHERE trigger_time >= {from:${T}} AND trigger_time < {to:${T}}`;

/** The stored auth events behind a sampled item (their raw record digests). */
export const SAMPLE_EVENTS_SQL = `SELECT toString(event_id) AS id, source, ${isoSql('event_time')} AS event_time_iso, raw_sha256
FROM auth_events FINAL
WHERE event_id IN {ids:Array(UUID)}
ORDER BY event_time, id`;

/** The original raw records with these digests. */
export const SAMPLE_RAW_SQL = `SELECT raw_sha256, source, ${isoSql('event_time')} AS event_time_iso, input_ref, raw
FROM raw_events FINAL
WHERE raw_sha256 IN {digests:Array(String)}
ORDER BY event_time, raw_sha256, source`;
