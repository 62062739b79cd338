// Child-process probe of an embedded store for the Kafka worker tests. chDB allows one engine per process and one
// process per data directory, so the test process never opens a worker's store itself: it runs this script after
// the worker exited.
//   prepare <dataDir>  migrate, then stop merges of auth_events (test only: a merge collapses duplicate rows, which
//                      would hide from the raw-row oracle exactly the duplicates it is meant to count)
//   dump <dataDir>     one JSON document on stdout (see ProbeDump)
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openStore, type Store } from '../../schema/store/store.ts';

/** What `dump` prints. */
export interface ProbeDump {
  /** auth_events rows without FINAL (duplicates included). */
  readonly raw_rows: number;
  readonly final_rows: number;
  /** source_event_id of every stored event (distinct, FINAL). */
  readonly ids: string[];
  readonly raw_events: number;
  readonly dead_letters: { source: string; stage: string; reason: string; input_ref: string; raw_sha256: string }[];
  /** Sums over ingest_batches FINAL (the reconciliation rows; a re-inserted chunk replaces its own). */
  readonly batches: { received: number; events: number; dead_lettered: number; dropped: number };
  readonly ranges: number;
}

const SELF = fileURLToPath(import.meta.url);

async function open(dataDir: string): Promise<Store> {
  return openStore({ mode: 'embedded', path: join(dataDir, 'clickhouse'), user: 'default', password: '', database: 'default' });
}

async function dump(store: Store): Promise<ProbeDump> {
  const one = async (sql: string): Promise<number> => Number((await store.query<{ n: string }>(sql))[0]?.n ?? 0);
  const ids = (await store.query<{ id: string }>('SELECT DISTINCT source_event_id AS id FROM auth_events FINAL')).map((r) => r.id);
  const batches = (await store.query<{ received: string; events: string; dead_lettered: string; dropped: string }>(
    'SELECT sum(received) AS received, sum(events) AS events, sum(dead_lettered) AS dead_lettered, sum(dropped) AS dropped FROM ingest_batches FINAL'))[0];
  return {
    raw_rows: await one('SELECT count() AS n FROM auth_events'),
    final_rows: await one('SELECT count() AS n FROM auth_events FINAL'),
    ids,
    raw_events: await one('SELECT count() AS n FROM raw_events FINAL'),
    dead_letters: await store.query('SELECT source, stage, reason, input_ref, raw_sha256 FROM dead_letters FINAL ORDER BY input_ref'),
    batches: {
      received: Number(batches?.received ?? 0), events: Number(batches?.events ?? 0),
      dead_lettered: Number(batches?.dead_lettered ?? 0), dropped: Number(batches?.dropped ?? 0),
    },
    ranges: await one('SELECT count() AS n FROM kafka_ranges'),
  };
}

/** Runs the probe in a child process (the calling process must not hold a chDB engine on this directory). */
export function runStoreProbe(mode: 'prepare', dataDir: string): Promise<void>;
export function runStoreProbe(mode: 'dump', dataDir: string): Promise<ProbeDump>;
export function runStoreProbe(mode: 'prepare' | 'dump', dataDir: string): Promise<ProbeDump | void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SELF, mode, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`store probe ${mode} exited ${String(code)}: ${err.slice(-2000)}`));
      resolve(mode === 'dump' ? (JSON.parse(Buffer.concat(out).toString('utf8')) as ProbeDump) : undefined);
    });
  });
}

if (process.argv[1] === SELF) {
  const [mode, dataDir] = process.argv.slice(2);
  if ((mode !== 'prepare' && mode !== 'dump') || dataDir === undefined) {
    process.stderr.write('usage: store-probe.ts prepare|dump <dataDir>\n');
    process.exit(2);
  }
  const store = await open(dataDir);
  try {
    if (mode === 'prepare') {
      await store.command('ALTER TABLE auth_events MODIFY SETTING max_bytes_to_merge_at_max_space_in_pool = 1, max_bytes_to_merge_at_min_space_in_pool = 1');
    } else {
      process.stdout.write(JSON.stringify(await dump(store)));
    }
  } finally {
    await store.close();
  }
}
