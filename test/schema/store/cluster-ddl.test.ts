import { queryBind } from 'chdb';
import { describe, expect, it } from 'vitest';
import { toClusterDdl } from '../../../schema/store/cluster-ddl.ts';
import { readMigrations } from '../../../schema/store/migrate.ts';

/** ClickHouse's own parser (chDB in memory): throws on a syntax error, returns the normalized statement. */
function formatQuery(sql: string): string {
  const out = queryBind('SELECT formatQuery({q:String}) AS f', { q: sql }, 'JSONEachRow');
  return (JSON.parse(out) as { f: string }).f;
}

describe('migrations on a replicated cluster (CLICKHOUSE_CLUSTER)', () => {
  it('adds ON CLUSTER and a replicated engine with the Keeper path and replica macro, keeping the version arguments', () => {
    expect(toClusterDdl('CREATE TABLE IF NOT EXISTS sessions\n(\n    a UInt8\n)\nENGINE = ReplacingMergeTree(computed_at, is_deleted)\nORDER BY a', 'prod'))
      .toBe("CREATE TABLE IF NOT EXISTS sessions ON CLUSTER `prod`\n(\n    a UInt8\n)\nENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/sessions', '{replica}', computed_at, is_deleted)\nORDER BY a");
    expect(toClusterDdl('CREATE TABLE IF NOT EXISTS t (a UInt8) ENGINE = MergeTree ORDER BY a', 'c'))
      .toBe("CREATE TABLE IF NOT EXISTS t ON CLUSTER `c` (a UInt8) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/t', '{replica}') ORDER BY a");
    expect(toClusterDdl('ALTER TABLE auth_events MODIFY TTL toDateTime(ingested_at) + INTERVAL 30 DAY', 'c'))
      .toBe('ALTER TABLE auth_events ON CLUSTER `c` MODIFY TTL toDateTime(ingested_at) + INTERVAL 30 DAY');
    expect(toClusterDdl('EXCHANGE TABLES raw_events AND raw_events_rebuild', 'c')).toBe('EXCHANGE TABLES raw_events AND raw_events_rebuild ON CLUSTER `c`');
    expect(toClusterDdl('DROP TABLE IF EXISTS raw_events_rebuild SYNC', 'c')).toBe('DROP TABLE IF EXISTS raw_events_rebuild ON CLUSTER `c` SYNC');
    expect(toClusterDdl('DROP TABLE t', 'c')).toBe('DROP TABLE t ON CLUSTER `c`');
    expect(toClusterDdl('SELECT 1', 'c')).toBe('SELECT 1');
    expect(() => toClusterDdl('CREATE TABLE t (a UInt8) ENGINE = MergeTree ORDER BY a', 'x`; DROP')).toThrow(/invalid cluster/);
  });

  it('every statement of every migration still parses, with every table on the cluster and replicated', () => {
    let tables = 0;
    let creates = 0;
    for (const m of readMigrations()) {
      creates += m.statements.filter((st) => /^\s*CREATE TABLE/i.test(st)).length;
      for (const statement of m.statements) {
        const rewritten = formatQuery(toClusterDdl(statement, 'accessproof_cluster'));
        // Every DDL statement must reach every node; only row statements (INSERT … SELECT) run on one.
        if (/^(ALTER|EXCHANGE|DROP|RENAME|TRUNCATE)\b/.test(rewritten)) expect(rewritten, m.name).toMatch(/ON CLUSTER accessproof_cluster/);
        if (!/^CREATE TABLE/.test(rewritten)) continue;
        tables++;
        expect(rewritten, m.name).toMatch(/ON CLUSTER accessproof_cluster/);
        expect(rewritten, m.name).toMatch(/ENGINE = Replicated\w*MergeTree\('\/clickhouse\/tables\/\{shard\}\/\{database\}\/\w+', '\{replica\}'/);
      }
    }
    expect(tables).toBe(creates);
    expect(tables).toBeGreaterThan(10);
  });
});
