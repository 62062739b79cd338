import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../core/clock.ts';
import { silentLogger } from '../../../core/logger.ts';
import { readRecords } from '../../../ingest/files/read-records.ts';
import { importFiles } from '../../../ingest/files/import-files.ts';
import { createNormalizePool, normalizePoolFor, normalizeWorkerCount, type NormalizePool } from '../../../ingest/normalize-pool/pool.ts';
import { DEFAULT_POLICY, sha256Hex } from '../../../ingest/normalizers/common.ts';
import { normalizerFor } from '../../../ingest/normalizers/index.ts';
import { createPipeline, fromBusMessage, POOL_MIN_RECORDS, prepareBatch, prepareWrite, type InboundRecord, type StoredEventRef } from '../../../ingest/pipeline.ts';
import { encodeBatch, releaseBatch, type Store } from '../../../schema/store/store.ts';
import { generateCorpus, BENCH_SOURCES } from '../../../bench/corpus/index.ts';
import { sharedPath } from '../../helpers/shared.ts';
import { openTempStore } from '../../helpers/temp-store.ts';

// The normalise workers must be invisible in the store: the same records give the same insert bodies (so the same
// dedup tokens) and the same rows as the main thread's path.

const SAMPLES: [string, string[]][] = [
  ['okta', ['okta.jsonl', 'okta.malformed.jsonl']],
  ['entra', ['entra-id.signins.jsonl', 'entra-id.malformed.jsonl']],
  ['cloudtrail', ['aws-cloudtrail.jsonl', 'aws-cloudtrail.malformed.jsonl']],
  ['teleport', ['teleport.jsonl', 'teleport.malformed.jsonl']],
  ['sshd', ['openssh.log', 'openssh.malformed.log']],
  ['postgres', ['postgresql.log']],
  ['k8s', ['kubernetes-audit.jsonl']],
  ['duo', ['duo.jsonl']],
];

const NOW = new Date(Date.now() - 60_000).toISOString();

async function sampleRecords(): Promise<InboundRecord[]> {
  const out: InboundRecord[] = [];
  for (const [source, files] of SAMPLES) {
    const normalizer = normalizerFor(source);
    if (!normalizer) throw new Error(`no normalizer ${source}`);
    for await (const item of readRecords(files.map((f) => sharedPath('samples', f)), normalizer)) {
      if (item.kind !== 'record') continue;
      out.push({ source, raw: item.raw, input_ref: item.input_ref, received_at: NOW, raw_sha256: sha256Hex(item.raw), payload: item.payload });
    }
  }
  // Records the normalisers refuse: not JSON, and a source nobody normalises.
  out.push({ source: 'okta', raw: '{"uuid": "x", ', input_ref: 'test:bad-json', received_at: NOW, raw_sha256: sha256Hex('{"uuid": "x", ') });
  out.push({ source: 'nosuch', raw: '{}', input_ref: 'test:unknown', received_at: NOW, raw_sha256: sha256Hex('{}') });
  return out;
}

describe('normalise workers', () => {
  let pool: NormalizePool;
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    pool = createNormalizePool({ workers: 2, policy: DEFAULT_POLICY });
    ({ store, cleanup } = await openTempStore());
  });
  afterAll(async () => {
    await pool.close();
    await cleanup();
  });

  it('encode every sample batch exactly as the main thread does (same bodies, same tokens, same counts)', async () => {
    const records = await sampleRecords();
    const times = { ingestedAt: NOW, now: NOW };
    const local = prepareWrite(records, DEFAULT_POLICY, times, 'test');
    const remote = await pool.prepare(records, times, 'test');
    expect(local.events.length).toBeGreaterThan(100);
    expect(local.deadLetters.length).toBeGreaterThanOrEqual(SAMPLES.length);
    expect(remote.counts).toEqual(local.counts);
    expect([...remote.sources]).toEqual([...local.sources]);
    expect(remote.events).toEqual(local.events);
    expect(remote.encoded.parts.map((p) => p.table)).toEqual(local.encoded.parts.map((p) => p.table));
    for (const [i, p] of remote.encoded.parts.entries()) {
      const mine = local.encoded.parts[i];
      if (!mine) throw new Error('missing part');
      // ingest_batches rows carry a fresh batch id each time they are built; every other body is content only.
      if (p.table === 'ingest_batches') continue;
      expect(p.token, p.table).toBe(mine.token);
      expect(Buffer.compare(p.body, mine.body), p.table).toBe(0);
    }
    remote.release();
  });

  it('bodies encoded as events are produced equal the bodies of the same rows encoded after the batch (same tokens)', async () => {
    // prepareWrite streams rows into the encoders; a Kafka worker's retry re-encodes kept rows with encodeBatch.
    const records = await sampleRecords();
    const times = { ingestedAt: NOW, now: NOW };
    const streamed = prepareWrite(records, DEFAULT_POLICY, times, 'test');
    const batch = prepareBatch(records, DEFAULT_POLICY, NOW);
    expect(streamed.events).toEqual(batch.events.map((e) => ({ event_id: e.event_id, source: e.source, event_time: e.event_time, action: e.action })));
    expect(streamed.counts).toEqual(batch.counts);
    const after = encodeBatch({ raws: batch.raws, events: batch.events, deadLetters: batch.deadLetters, ingestBatches: [] });
    const tables = ['raw_events', 'auth_events', 'dead_letters'];
    expect(after.parts.map((p) => p.table)).toEqual(tables);
    for (const table of tables) {
      const a = streamed.encoded.parts.find((p) => p.table === table);
      const b = after.parts.find((p) => p.table === table);
      if (!a || !b) throw new Error(`missing ${table}`);
      expect(a.token, table).toBe(b.token);
      expect(Buffer.compare(a.body, b.body), table).toBe(0);
    }
    releaseBatch(after);
    releaseBatch(streamed.encoded);
  });

  it('a pipeline with workers stores what one without stores, and a retry of its batch on the main thread adds nothing', async () => {
    const corpus = generateCorpus(7, 100);
    const messages = BENCH_SOURCES.flatMap((s) => corpus.messages[s]);
    expect(messages.length).toBeGreaterThanOrEqual(POOL_MIN_RECORDS);
    const clock = fixedClock(NOW);
    const marked: StoredEventRef[] = [];
    const pooled = createPipeline({ store, policy: DEFAULT_POLICY, clock, logger: silentLogger(), pool, onStored: (e) => { marked.push(...e); } });
    const counts = await pooled.handle(messages.map(fromBusMessage), 'test');
    const expected = prepareWrite(messages.map(fromBusMessage), DEFAULT_POLICY, clock, 'test').counts;
    expect(counts).toEqual({ ...expected, stored: expected.events });
    expect(marked.length).toBe(counts.events);
    const rows = async (): Promise<string> => JSON.stringify(await store.query('SELECT * FROM auth_events ORDER BY event_id'));
    const raws = async (): Promise<string> => JSON.stringify(await store.query('SELECT * FROM raw_events ORDER BY raw_sha256'));
    const before = { events: await rows(), raws: await raws() };
    expect(JSON.parse(before.events)).toHaveLength(counts.events);

    // Same batch through the main thread: identical bodies carry identical dedup tokens, so nothing is added.
    const inline = createPipeline({ store, policy: DEFAULT_POLICY, clock, logger: silentLogger() });
    const again = await inline.handle(messages.map(fromBusMessage), 'test');
    expect(again).toEqual(counts);
    expect(await rows()).toBe(before.events);
    expect(await raws()).toBe(before.raws);
  });

  it('keep batches in call order and import files with several batches in flight', async () => {
    await store.command('TRUNCATE TABLE auth_events');
    const clock = fixedClock(NOW);
    const order: string[] = [];
    const pipeline = createPipeline({ store, policy: DEFAULT_POLICY, clock, logger: silentLogger(), pool, onStored: (e) => { order.push(e[0]?.source ?? ''); } });
    const corpus = generateCorpus(8, 300);
    // A big batch (on a worker) followed by a small one (on this thread, done first): written big one first.
    const big = pipeline.handle(corpus.messages.okta.map(fromBusMessage), 'test');
    const small = pipeline.handle(corpus.messages.teleport.slice(0, 5).map(fromBusMessage), 'test');
    await Promise.all([big, small]);
    expect(order).toEqual(['okta', 'teleport']);

    const totals = await importFiles({ send: (r) => pipeline.handle(r), deadLetter: (d) => pipeline.deadLetter(d) }, {
      source: 'okta', paths: [sharedPath('samples', 'okta.jsonl'), sharedPath('samples', 'okta.malformed.jsonl')], batchSize: 5, clock, inFlight: 3,
    });
    const serial = createPipeline({ store, policy: DEFAULT_POLICY, clock, logger: silentLogger() });
    const reference = await importFiles({ send: (r) => serial.handle(r), deadLetter: (d) => serial.deadLetter(d) }, {
      source: 'okta', paths: [sharedPath('samples', 'okta.jsonl'), sharedPath('samples', 'okta.malformed.jsonl')], batchSize: 5, clock,
    });
    expect(totals).toEqual(reference);
  });

  it('report a batch the encoder refuses as that batch\'s failure, like the main thread, and keep serving the next', async () => {
    const records = (await sampleRecords()).slice(0, 40);
    const bad = records.map((r, i) => (i === 3 ? { ...r, received_at: 'yesterday' } : r));
    const times = { ingestedAt: NOW, now: NOW };
    expect(() => prepareWrite(bad, DEFAULT_POLICY, times, 'test')).toThrow(/not an instant/);
    await expect(pool.prepare(bad, times, 'test')).rejects.toThrow(/normalise worker failed: .*not an instant/);
    const next = await pool.prepare(records, times, 'test');
    expect(next.counts.read).toBe(40);
    next.release();
  });

  it('reject pending batches when closed, and size themselves from NORMALIZE_WORKERS', async () => {
    const spare = createNormalizePool({ workers: 1, policy: DEFAULT_POLICY });
    const pending = expect(spare.prepare((await sampleRecords()).slice(0, 50), { ingestedAt: NOW, now: NOW }, 'test')).rejects.toThrow(/closed/);
    await spare.close();
    await pending;
    await expect(spare.prepare([], { ingestedAt: NOW, now: NOW }, 'test')).rejects.toThrow(/closed/);
    expect(normalizeWorkerCount(3)).toBe(3);
    expect(normalizeWorkerCount('auto')).toBeGreaterThanOrEqual(1);
    expect(normalizePoolFor(0, DEFAULT_POLICY)).toBeUndefined();
  });
});
