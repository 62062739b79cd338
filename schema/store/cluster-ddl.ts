// Migrations for a replicated ClickHouse cluster (CLICKHOUSE_CLUSTER set): the migration files stay written for one
// node, and each statement is rewritten when it is applied —
//   CREATE TABLE IF NOT EXISTS t …          → CREATE TABLE IF NOT EXISTS t ON CLUSTER `c` …
//   ENGINE = ReplacingMergeTree(v)           → ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/t', '{replica}', v)
//   ALTER TABLE t …                          → ALTER TABLE t ON CLUSTER `c` …
//   EXCHANGE TABLES a AND b                  → EXCHANGE TABLES a AND b ON CLUSTER `c`
//   DROP TABLE [IF EXISTS] t [SYNC]          → DROP TABLE [IF EXISTS] t ON CLUSTER `c` [SYNC]
// (an INSERT … SELECT runs on the node applying the migration; replication carries its rows to the others)
// so every node of the cluster gets every table, replicated per shard through ClickHouse Keeper. Replicated tables
// keep insert deduplication in Keeper, atomically with the part (the non-replicated log's crash window, see
// ingest/worker/replay-filter.ts, does not exist there). Sharding (Distributed tables) is not done here: README
// "Scaling out" explains why one shard with replicas is the supported cluster shape.

/** Matches the MergeTree family engines the migrations use. */
const ENGINE = /\bENGINE\s*=\s*(Replacing|Summing|Aggregating|Collapsing|VersionedCollapsing)?MergeTree\b(\s*\(([^()]*)\))?/;

/** A cluster name as a backtick-quoted identifier (config only, validated here anyway). */
export function clusterIdent(cluster: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(cluster)) throw new Error(`invalid cluster name ${cluster}`);
  return `\`${cluster}\``;
}

/** Rewrites one migration statement for a replicated cluster; statements it does not know pass unchanged. */
export function toClusterDdl(statement: string, cluster: string): string {
  const on = `ON CLUSTER ${clusterIdent(cluster)}`;
  const create = /^(\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?)([A-Za-z_][A-Za-z0-9_]*)(\s)/i.exec(statement);
  if (create) {
    const table = create[2] as string;
    const head = `${create[1] ?? ''}${table} ${on}${create[3] ?? ''}`;
    const rest = statement.slice(create[0].length).replace(ENGINE, (_m, kind: string | undefined, _p: string | undefined, args: string | undefined) => {
      const replicated = [`'/clickhouse/tables/{shard}/{database}/${table}'`, `'{replica}'`];
      if (args !== undefined && args.trim() !== '') replicated.push(args.trim());
      return `ENGINE = Replicated${kind ?? ''}MergeTree(${replicated.join(', ')})`;
    });
    return head + rest;
  }
  const alter = /^(\s*ALTER\s+TABLE\s+)([A-Za-z_][A-Za-z0-9_]*)(\s)/i.exec(statement);
  if (alter) return `${alter[1] ?? ''}${alter[2] ?? ''} ${on}${alter[3] ?? ''}${statement.slice(alter[0].length)}`;
  const exchange = /^(\s*EXCHANGE\s+TABLES\s+[A-Za-z_][A-Za-z0-9_]*\s+AND\s+[A-Za-z_][A-Za-z0-9_]*)(\s*)$/i.exec(statement);
  if (exchange) return `${exchange[1] ?? ''} ${on}${exchange[2] ?? ''}`;
  const drop = /^(\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?[A-Za-z_][A-Za-z0-9_]*)((?:\s+SYNC)?\s*)$/i.exec(statement);
  if (drop) return `${drop[1] ?? ''} ${on}${drop[2] ?? ''}`;
  return statement;
}
