import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { AppError } from '../../core/errors.ts';
import { acquirePidLock } from './pid-lock.ts';
import { clusterIdent } from './cluster-ddl.ts';

/** What the store needs to know about where ClickHouse is. */
export interface StoreTarget {
  readonly mode: 'embedded' | 'server';
  /** Embedded: the chDB data directory. */
  readonly path: string;
  readonly url?: string;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** Server mode: a replicated cluster the migrations create their tables on (CLICKHOUSE_CLUSTER). */
  readonly cluster?: string;
}

/** One pre-encoded insert: a body in `format` for `columns` of `table`, with its deduplication token. */
export interface InsertPart {
  readonly table: string;
  readonly columns: readonly string[];
  readonly format: 'Native' | 'JSONEachRow';
  readonly body: Buffer;
  /** insert_deduplication_token: the same token within the table's dedup window adds nothing (retries). */
  readonly token: string;
}

/**
 * Settings of every query. `event_id` of auth_events is an ALIAS column (derived from source + source_event_id);
 * including alias columns in `*` keeps `SELECT *` returning it like a stored column.
 */
const CLIENT_SETTINGS = { asterisk_include_alias_columns: 1 } as const;

/**
 * Settings of every batch insert. `optimize_on_insert = 0`: the engine does not collapse duplicate keys inside each
 * inserted block of the replacing tables. Every read of them already collapses duplicates (FINAL, or DISTINCT /
 * max on the key), because overlapping polls and re-deliveries insert the same event in different batches anyway;
 * collapsing inside the block as well cost ~16 % of the engine's insert time (23.2 → 19.4 µs per event, bench corpus).
 */
export const INSERT_SETTINGS = { optimize_on_insert: 0 } as const;

/** A connected client plus what only the store layer may use: the raw chDB insert and the release hook. */
export interface StoreClient {
  readonly client: ClickHouseClient;
  readonly mode: 'embedded' | 'server';
  /** Database the tables live in (embedded chDB always uses `default`: the data dir is accessproof's alone). */
  readonly database: string;
  /** Embedded only: zero-copy insert of a pre-built body (the fast path measured in research/performance.md). */
  readonly rawInsert?: (table: string, body: Buffer, columns: readonly string[], settings: Record<string, string | number>) => Promise<void>;
  /**
   * Writes pre-encoded bodies in order, as one unit of engine work (embedded: one multi-statement query, so the
   * engine never waits for the JS thread between tables). Resolves when every part is stored.
   */
  insertParts(parts: readonly InsertPart[]): Promise<void>;
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
    await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${quoteIdent(target.database)}${target.cluster ? ` ON CLUSTER ${clusterIdent(target.cluster)}` : ''}` });
    await admin.close();
    const client = createClient({
      url: target.url,
      username: target.user,
      password: target.password,
      database: target.database,
      keep_alive: { enabled: true, idle_socket_ttl: 2500 },
      clickhouse_settings: { ...CLIENT_SETTINGS, date_time_input_format: 'best_effort', http_write_exception_in_output_format: 0 },
    });
    // Server: the same INSERT statements, each body sent as the request body of its own statement.
    const insertParts = async (parts: readonly InsertPart[]): Promise<void> => {
      for (const p of parts) {
        const rs = await client.exec({
          query: `${insertHead(p)} FORMAT ${p.format}`,
          values: Readable.from([p.body]),
          clickhouse_settings: { ...INSERT_SETTINGS, insert_deduplication_token: p.token },
        });
        rs.stream.resume();
        await new Promise<void>((resolve, reject) => { rs.stream.once('end', resolve); rs.stream.once('error', reject); });
      }
    };
    return { client, mode: 'server', database: target.database, insertParts, close: () => client.close() };
  }
  mkdirSync(target.path, { recursive: true });
  const release = acquirePidLock(`${target.path}.lock`);
  if (!release) {
    throw new AppError('ERR_STORE_LOCKED',
      `the embedded store ${target.path} is in use by another accessproof process; stop it, or set ACCESSPROOF_DATA_DIR to another directory, or use CLICKHOUSE_URL`);
  }
  const connection = createChdbConnection({ path: target.path });
  // NOTE: chdb types its Connection against @clickhouse/client-common; the runtime contract is the same one
  // @clickhouse/client expects (pinned pair, tested together), so only the duplicate type declarations differ.
  type ClientConnection = NonNullable<Parameters<typeof createClient>[0]>['connection'];
  const client = createClient({ connection: connection as unknown as ClientConnection, clickhouse_settings: CLIENT_SETTINGS });
  const rawInsert = async (table: string, body: Buffer, columns: readonly string[], settings: Record<string, string | number>) => {
    await connection.chdb.rawInsert({ table, values: body, format: 'JSONEachRow', columns, settings });
  };
  // Embedded: chDB reads inline bodies at ~0.4 of its file-reader rate and has no inline binary formats, so
  // bodies are staged in files (tmpfs when available) and read with INSERT … FROM INFILE — the path the bench's
  // insert probe measures fastest (research/performance.md §2.2). All parts run as one multi-statement query.
  const stageDir = openStageDir();
  let seq = 0;
  const insertParts = async (parts: readonly InsertPart[]): Promise<void> => {
    if (parts.length === 0) return;
    const files = parts.map((p) => join(stageDir, `${++seq}-${p.table}.${p.format.toLowerCase()}`));
    try {
      // NOTE: written synchronously (a memory copy into tmpfs, ~10 ms per 30 MB batch): the engine call below must be
      // issued before the caller goes back to normalising the next batch. With async writes, each completion
      // waited for the event loop, which the next batch's normalisation blocks, so the insert never overlapped it
      // (the bench measured normalise + insert time adding up, 1.2 cores busy).
      parts.forEach((p, i) => writeFileSync(files[i] as string, p.body));
      const sql = parts.map((p, i) =>
        `${insertHead(p)} FROM INFILE ${sqlString(files[i] as string)} SETTINGS insert_deduplication_token = ${sqlString(p.token)}, ${settingsSql(INSERT_SETTINGS)} FORMAT ${p.format}`);
      await client.command({ query: sql.join(';\n') });
    } finally {
      await Promise.all(files.map((f) => rm(f, { force: true })));
    }
  };
  return {
    client,
    mode: 'embedded',
    database: 'default',
    rawInsert,
    insertParts,
    close: async () => {
      await client.close();
      rmSync(stageDir, { recursive: true, force: true });
      STAGE_DIRS.delete(stageDir);
      await release();
    },
  };
}

const STAGE_PREFIX = 'accessproof-insert-';
const STAGE_DIRS = new Set<string>();
let exitHookInstalled = false;

function removeStageDirs(): void {
  for (const d of STAGE_DIRS) rmSync(d, { recursive: true, force: true });
}

/**
 * A staging directory for insert bodies, named after this process (tmpfs when available). Directories left behind
 * by processes that no longer exist (killed before closing their store) are removed first; this one is removed on
 * close or, failing that, at process exit.
 */
function openStageDir(): string {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  for (const name of readdirSync(base)) {
    const m = new RegExp(`^${STAGE_PREFIX}(\\d+)-`).exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') rmSync(join(base, name), { recursive: true, force: true });
    }
  }
  const dir = mkdtempSync(join(base, `${STAGE_PREFIX}${process.pid}-`));
  STAGE_DIRS.add(dir);
  if (!exitHookInstalled) {
    process.once('exit', removeStageDirs);
    exitHookInstalled = true;
  }
  return dir;
}

/** `INSERT INTO t (c1, c2)` for a part (identifiers are the store's own constants). */
function insertHead(p: InsertPart): string {
  for (const name of [p.table, ...p.columns]) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new AppError('ERR_STORE_INSERT', `invalid identifier ${name}`);
  }
  return `INSERT INTO ${p.table} (${p.columns.join(', ')})`;
}

/** A single-quoted ClickHouse string literal. */
function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Backtick-quotes an identifier that was already validated as plain (config only, never user input). */
function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new AppError('ERR_STORE_CONFIG', `invalid database name ${name}`);
  return `\`${name}\``;
}

/** `name = value, …` of numeric settings, for a SETTINGS clause. */
export function settingsSql(settings: Readonly<Record<string, number>>): string {
  return Object.entries(settings).map(([k, v]) => `${k} = ${String(v)}`).join(', ');
}
