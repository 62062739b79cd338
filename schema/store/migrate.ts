import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClickHouseClient } from '@clickhouse/client';
import { AppError } from '../../core/errors.ts';
import { toClusterDdl } from './cluster-ddl.ts';

/** Folder of the numbered forward-only migration files. */
export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations');

interface Migration { name: string; checksum: string; statements: string[] }

/** Splits a migration file into statements (on `;` at line end), dropping `--` comment lines. */
function splitStatements(sql: string): string[] {
  const body = sql.split('\n').filter((l) => !l.trim().startsWith('--')).join('\n');
  return body.split(/;\s*(?:\n|$)/).map((s) => s.trim()).filter(Boolean);
}

/** Reads every `NNNN_name.sql` file in order. */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort().map((name) => {
    const sql = readFileSync(join(dir, name), 'utf8');
    return { name, checksum: createHash('sha256').update(sql).digest('hex'), statements: splitStatements(sql) };
  });
}

/**
 * Applies pending migrations and records each (name, checksum) in schema_migrations. A changed checksum of an
 * applied migration is a startup error: migrations are never edited after they ship.
 */
export async function migrate(client: ClickHouseClient, opts: { retentionDays?: number; cluster?: string } = {}): Promise<string[]> {
  // CLICKHOUSE_CLUSTER: every statement runs ON CLUSTER with replicated engines (cluster-ddl.ts).
  const ddl = (statement: string): string => (opts.cluster ? toClusterDdl(statement, opts.cluster) : statement);
  await client.command({
    query: ddl(`CREATE TABLE IF NOT EXISTS schema_migrations (name String, checksum String, applied_at DateTime64(3, 'UTC'))
            ENGINE = ReplacingMergeTree(applied_at) ORDER BY name`),
  });
  const rs = await client.query({ query: 'SELECT name, checksum FROM schema_migrations FINAL', format: 'JSONEachRow' });
  const applied = new Map((await rs.json<{ name: string; checksum: string }>()).map((r) => [r.name, r.checksum]));
  const done: string[] = [];
  for (const m of readMigrations()) {
    const prior = applied.get(m.name);
    if (prior !== undefined) {
      if (prior !== m.checksum) throw new AppError('ERR_STORE_MIGRATION_CHANGED', `migration ${m.name} was changed after it was applied`);
      continue;
    }
    for (const statement of m.statements) await client.command({ query: ddl(statement) });
    await client.insert({
      table: 'schema_migrations',
      values: [{ name: m.name, checksum: m.checksum, applied_at: new Date().toISOString().replace('T', ' ').replace('Z', '') }],
      format: 'JSONEachRow',
    });
    done.push(m.name);
  }
  if (opts.retentionDays !== undefined) await applyRetention(client, opts.retentionDays, ddl);
  await applyMapBuckets(client, ddl);
  return done;
}

/**
 * Engines that support it (ClickHouse ≥ 25.x, the embedded chDB) store auth_events.details in 8 key buckets, so a
 * query reading one key (details['okta_result']) reads about an eighth of the map. A table setting, not schema:
 * the migrations stay valid on older servers (docker-compose pins 24.8), which keep the basic serialization.
 */
async function applyMapBuckets(client: ClickHouseClient, ddl: (statement: string) => string): Promise<void> {
  const rs = await client.query({ query: "SELECT count() AS n FROM system.merge_tree_settings WHERE name = 'map_serialization_version'", format: 'JSONEachRow' });
  const [known] = await rs.json<{ n: string | number }>();
  if (Number(known?.n ?? 0) === 0) return;
  const t = await client.query({ query: "SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name = 'auth_events'", format: 'JSONEachRow' });
  const [table] = await t.json<{ q: string }>();
  if (!table || table.q.includes('with_buckets')) return;
  await client.command({
    query: ddl(`ALTER TABLE auth_events MODIFY SETTING map_serialization_version = 'with_buckets',
      map_serialization_version_for_zero_level_parts = 'with_buckets', map_buckets_strategy = 'constant',
      max_buckets_in_map = 8, map_buckets_min_avg_size = 1`),
  });
}

/** Retention is configuration, not schema: applied at startup as a TTL change on the evidence tables (from ingestion time). */
async function applyRetention(client: ClickHouseClient, days: number, ddl: (statement: string) => string): Promise<void> {
  const n = Math.trunc(days);
  // rollup_days: a day's rollups expire with the first of its events (schema/migrations/0006_report_rollups.sql).
  const columns: Record<string, string> = { auth_events: 'ingested_at', raw_events: 'received_at', rollup_days: 'first_ingested_at' };
  for (const [table, column] of Object.entries(columns)) {
    const rs = await client.query({ query: 'SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name = {t:String}', query_params: { t: table }, format: 'JSONEachRow' });
    const [row] = await rs.json<{ q: string }>();
    if (row && row.q.includes(`INTERVAL ${n} DAY`)) continue;
    await client.command({ query: ddl(`ALTER TABLE ${table} MODIFY TTL toDateTime(${column}) + INTERVAL ${n} DAY`), clickhouse_settings: { materialize_ttl_after_modify: 0 } });
  }
}
