import { mkdirSync } from 'node:fs';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import lockfile from 'proper-lockfile';
import { AppError } from '../../core/errors.ts';

/** What the store needs to know about where ClickHouse is. */
export interface StoreTarget {
  readonly mode: 'embedded' | 'server';
  /** Embedded: the chDB data directory. */
  readonly path: string;
  readonly url?: string;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

/** A connected client plus what only the store layer may use: the raw chDB insert and the release hook. */
export interface StoreClient {
  readonly client: ClickHouseClient;
  readonly mode: 'embedded' | 'server';
  /** Database the tables live in (embedded chDB always uses `default`: the data dir is accessproof's alone). */
  readonly database: string;
  /** Embedded only: zero-copy insert of a pre-built body (the fast path measured in research/performance.md). */
  readonly rawInsert?: (table: string, body: Buffer, columns: readonly string[], settings: Record<string, string | number>) => Promise<void>;
  close(): Promise<void>;
}

/**
 * The only caller of createClient. Embedded: an in-process chDB engine on `path`, guarded by a lock so a second
 * process gets a clear error instead of corrupting the store. Server: HTTP(S) to CLICKHOUSE_URL.
 */
export async function openStoreClient(target: StoreTarget): Promise<StoreClient> {
  if (target.mode === 'server') {
    if (!target.url) throw new AppError('ERR_STORE_CONFIG', 'CLICKHOUSE_URL is required in server mode');
    const admin = createClient({ url: target.url, username: target.user, password: target.password });
    await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${quoteIdent(target.database)}` });
    await admin.close();
    const client = createClient({
      url: target.url,
      username: target.user,
      password: target.password,
      database: target.database,
      keep_alive: { enabled: true, idle_socket_ttl: 2500 },
      clickhouse_settings: { date_time_input_format: 'best_effort', http_write_exception_in_output_format: 0 },
    });
    return { client, mode: 'server', database: target.database, close: () => client.close() };
  }
  mkdirSync(target.path, { recursive: true });
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(target.path, { lockfilePath: `${target.path}.lock`, stale: 15_000, update: 5_000, retries: 0 });
  } catch (e) {
    throw new AppError('ERR_STORE_LOCKED',
      `the embedded store ${target.path} is in use by another accessproof process; stop it, or set ACCESSPROOF_DATA_DIR to another directory, or use CLICKHOUSE_URL`,
      { cause: e });
  }
  const connection = createChdbConnection({ path: target.path });
  // NOTE: chdb types its Connection against @clickhouse/client-common; the runtime contract is the same one
  // @clickhouse/client expects (pinned pair, tested together), so only the duplicate type declarations differ.
  type ClientConnection = NonNullable<Parameters<typeof createClient>[0]>['connection'];
  const client = createClient({ connection: connection as unknown as ClientConnection });
  const rawInsert = async (table: string, body: Buffer, columns: readonly string[], settings: Record<string, string | number>) => {
    await connection.chdb.rawInsert({ table, values: body, format: 'JSONEachRow', columns, settings });
  };
  return {
    client,
    mode: 'embedded',
    database: 'default',
    rawInsert,
    close: async () => {
      await client.close();
      await release();
    },
  };
}

/** Backtick-quotes an identifier that was already validated as plain (config only, never user input). */
function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new AppError('ERR_STORE_CONFIG', `invalid database name ${name}`);
  return `\`${name}\``;
}
