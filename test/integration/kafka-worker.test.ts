import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { initTopics } from '../../ingest/bus/kafka-admin.ts';
import { createKafkaBus } from '../../ingest/bus/kafka-bus.ts';
import { createPublishingPipeline } from '../../ingest/bus/publishing-pipeline.ts';
import { sha256Hex } from '../../ingest/normalizers/common.ts';
import { DEAD_LETTER_HEADER } from '../../ingest/worker/chunk.ts';
import { normalizeFiles } from '../helpers/normalize-file.ts';
import { runCli, spawnCli } from '../helpers/run-cli.ts';
import { sharedPath } from '../helpers/shared.ts';
import { runStoreProbe, type ProbeDump } from '../helpers/store-probe.ts';
import { syntheticOktaLines, syntheticUuid } from '../helpers/synthetic-okta.ts';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.ts';
import { restartSharedKafkaBroker } from './global-setup.ts';

// Scale-out mode against the real broker of globalSetup: `accessproof ingest` (Kafka mode) publishes, `accessproof
// worker` child processes store into embedded chDB. chDB allows one process per data directory, so every worker
// gets its own data directory and the test reads it (store-probe, a child process) only after the worker exited.
// Oracles are computed against the source (the generated uuids / the normalizer's output), never the target alone.

const brokers = inject('kafkaBrokers');
const controlUrl = inject('kafkaControlUrl');
const prefix = `kw-${randomUUID().slice(0, 8)}`;
const root = mkdtempSync(join(tmpdir(), 'ap-kafka-worker-'));
const CHAOS_EVENTS = Number(process.env['KAFKA_CHAOS_EVENTS'] ?? 200_000);
const running: WorkerProcess[] = [];
const children: ChildProcess[] = [];
let admin: Admin;
let kafka: Kafka;

/** One test's topics, group and data directory. */
interface Scenario {
  readonly topic: string;
  readonly deadLetterTopic: string;
  readonly group: string;
  readonly dataDir: string;
  env(extra?: Record<string, string>): Record<string, string>;
}

function scenario(name: string, opts: { readonly batchSize?: number } = {}): Scenario {
  const topic = `${prefix}.${name}.raw`;
  const deadLetterTopic = `${prefix}.${name}.dead-letter`;
  const group = `${prefix}-${name}`;
  const dataDir = join(root, name);
  mkdirSync(dataDir, { recursive: true });
  return {
    topic, deadLetterTopic, group, dataDir,
    env: (extra = {}) => ({
      KAFKA_BROKERS: brokers.join(','), KAFKA_RAW_TOPIC: topic, KAFKA_DEAD_LETTER_TOPIC: deadLetterTopic, KAFKA_GROUP_ID: group,
      KAFKA_CLIENT_ID: prefix, ACCESSPROOF_DATA_DIR: dataDir, KAFKA_SESSION_TIMEOUT_MS: '4000', KAFKA_HEARTBEAT_INTERVAL_MS: '300',
      STORE_BATCH_SIZE: String(opts.batchSize ?? 2000), ...extra,
    }),
  };
}

async function createTopics(s: Scenario, partitions: number): Promise<void> {
  await initTopics({ brokers, topics: [s.topic, s.deadLetterTopic].map((name) => ({ name, partitions, replicationFactor: 1 })) });
}

function worker(s: Scenario, args: readonly string[] = [], env: Record<string, string> = {}): WorkerProcess {
  const w = startWorkerProcess(s.env(env), args);
  running.push(w);
  return w;
}

/** Σ (high watermark − committed offset) over the partitions: 0 once the group consumed and committed everything. */
async function groupLag(s: Scenario): Promise<number> {
  // A coordinator that is loading or moving answers with a retriable error: report "unknown" and poll again.
  const fetched = await Promise.all([admin.fetchTopicOffsets(s.topic), admin.fetchOffsets({ groupId: s.group, topics: [s.topic] })]).catch(() => undefined);
  if (fetched === undefined) return Number.POSITIVE_INFINITY;
  const [high, committed] = fetched;
  let lag = 0;
  for (const p of high) {
    const c = Number(committed[0]?.partitions.find((x) => x.partition === p.partition)?.offset ?? -1);
    lag += Number(p.high) - Math.max(0, c);
  }
  return lag;
}

async function waitUntil(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${String(timeoutMs)} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Runs a worker until the group has no lag, then stops it with SIGTERM (graceful: finish, commit, leave). */
async function drain(s: Scenario, timeoutMs: number, args: readonly string[] = []): Promise<WorkerProcess> {
  const w = worker(s, args);
  // A signal that arrives before the CLI installed its handlers would kill it: wait until it runs.
  await w.waitFor(/"msg":"worker started"/, 60_000);
  await waitUntil(async () => (await groupLag(s)) === 0, timeoutMs, `${s.group} to drain`);
  w.kill('SIGTERM');
  const exit = await w.exited;
  expect(exit, w.output().slice(-3000)).toEqual({ code: 0, signal: null });
  return w;
}

/** The exactly-once oracle: stored event ids against the generated ones (the source). */
function compare(expected: ReadonlySet<string>, dump: ProbeDump): { missing: number; unexpected: number; rawDuplicates: number } {
  const stored = new Set(dump.ids);
  let missing = 0;
  for (const id of expected) if (!stored.has(id)) missing++;
  let unexpected = 0;
  for (const id of stored) if (!expected.has(id)) unexpected++;
  return { missing, unexpected, rawDuplicates: dump.raw_rows - expected.size };
}

function writeLines(name: string, lines: readonly string[]): string {
  const file = join(root, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Publishes records through the connectors' publishing pipeline, re-sending a batch whose publish failed. */
async function publish(s: Scenario, lines: readonly string[], gapMs = 0): Promise<void> {
  const bus = createKafkaBus({ brokers, clientId: `${prefix}-publisher`, retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000 } });
  const pipeline = createPublishingPipeline({ bus, topic: s.topic });
  try {
    for (let i = 0; i < lines.length; i += 2000) {
      const records = lines.slice(i, i + 2000).map((raw, j) => ({
        source: 'okta', raw, input_ref: `test:${String(i + j)}`, received_at: new Date().toISOString(), raw_sha256: sha256Hex(raw),
      }));
      for (let attempt = 0; ; attempt++) {
        try {
          await pipeline.handle(records);
          if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
          break;
        } catch (error) {
          if (attempt >= 30) throw error;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    }
  } finally {
    await bus.close();
  }
}

beforeAll(async () => {
  kafka = new Kafka({ clientId: `${prefix}-test`, brokers, logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 200 } });
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  for (const w of running) w.kill('SIGKILL');
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await Promise.all(running.map((w) => w.exited));
  await admin.disconnect();
  rmSync(root, { recursive: true, force: true });
});

describe('accessproof worker (Kafka → chDB)', () => {
  it('end to end: kafka init, ingest publishes, the worker stores; malformed records reach the dead-letter topic and table', async () => {
    const s = scenario('e2e');
    const init = await runCli(['kafka', 'init', '--partitions', '3'], s.env());
    expect(init.code, init.stderr).toBe(0);
    expect(JSON.parse(init.stdout)).toEqual({ created: [s.topic, s.deadLetterTopic], existing: [], partitions: 3, replication_factor: 1 });

    const poison = writeLines('poison.jsonl', [
      syntheticOktaLines('e2e', 1, 0)[0] as string,
      '{"uuid": "truncated',
      JSON.stringify({ eventType: 'user.session.start', outcome: { result: 'SUCCESS' } }),
      syntheticOktaLines('e2e', 1, 1)[0] as string,
    ]);
    const files = [sharedPath('samples', 'okta.jsonl'), sharedPath('samples', 'okta.malformed.jsonl'), poison];
    const expected = await normalizeFiles('okta', files);
    const ingest = await runCli(['ingest', '--source', 'okta', ...files], s.env());
    expect(ingest.code, ingest.stderr).toBe(0);
    const summary = JSON.parse(ingest.stdout) as { read: number; published: number; dead_lettered: number; dropped: number; topic: string };
    const framingRejects = expected.rejects.filter((r) => r.reason === 'invalid_json').length;
    expect(summary.topic).toBe(s.topic);
    expect(summary.dead_lettered).toBe(framingRejects);
    expect(summary.published).toBe(summary.read - summary.dropped);

    const w = worker(s);
    await waitUntil(async () => (await groupLag(s)) === 0, 90_000, 'the worker to consume everything');
    await waitUntil(() => w.recordsTotal() === summary.published, 10_000, 'a progress line with every record');
    const url = w.metricsUrl() as string;
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    const snapshot = (await (await fetch(`${url}/v1/worker`)).json()) as { records_total: number; events_total: number; dead_letters_total: number; lag: number; partitions: unknown[] };
    expect(snapshot).toMatchObject({ records_total: summary.published, events_total: expected.events.length, dead_letters_total: expected.rejects.length, lag: 0 });
    expect(snapshot.partitions).toHaveLength(3);
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(new RegExp(`accessproof_worker_events_total\\{topic="${s.topic}",group="${s.group}"\\} ${String(expected.events.length)}`));
    w.kill('SIGTERM');
    expect(await w.exited).toEqual({ code: 0, signal: null });

    const dump = await runStoreProbe('dump', s.dataDir);
    expect(new Set(dump.ids)).toEqual(new Set(expected.events.map((e) => e.source_event_id)));
    // The samples repeat one event on purpose (a vendor re-delivery): one row after FINAL.
    const distinct = new Set(expected.events.map((e) => e.event_id)).size;
    expect(distinct).toBeLessThan(expected.events.length);
    expect(dump.final_rows).toBe(distinct);
    // Every reject, with its reason, from the file and line it came from.
    const rejects = (x: { input_ref: string; reason: string }[]): string[] => x.map((r) => `${r.input_ref} ${r.reason}`).sort();
    expect(rejects(dump.dead_letters)).toEqual(rejects(expected.rejects));
    expect(dump.dead_letters.filter((d) => d.stage === 'framing')).toHaveLength(framingRejects);
    // The reconciliation balances: every published record is an event-bearing record, a dead letter or a drop.
    expect(dump.batches.received).toBe(summary.published);
    expect(dump.batches.dead_lettered).toBe(expected.rejects.length);

    // The dead-letter topic holds the original bytes with the reason and the origin offset.
    const consumer = kafka.consumer({ groupId: `${prefix}-dl-reader`, allowAutoTopicCreation: false });
    const seen: { value: string; reason: string; originOffset: string; originTopic: string }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [s.deadLetterTopic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const h = (name: string): string => String(message.headers?.[name] ?? '');
        seen.push({ value: message.value?.toString('utf8') ?? '', reason: h(DEAD_LETTER_HEADER.reason), originOffset: h(DEAD_LETTER_HEADER.originOffset), originTopic: h(DEAD_LETTER_HEADER.originTopic) });
      },
    });
    await waitUntil(() => seen.length >= expected.rejects.length, 30_000, 'the dead-letter topic');
    await consumer.disconnect();
    expect(seen).toHaveLength(expected.rejects.length);
    expect(seen.map((m) => m.reason).sort()).toEqual(expected.rejects.map((r) => r.reason).sort());
    expect(seen.every((m) => m.originTopic === s.topic && /^\d+$/.test(m.originOffset))).toBe(true);
    expect(seen.some((m) => m.value === '{"uuid": "truncated' && m.reason === 'invalid_json')).toBe(true);
  });
  it('start in Kafka mode with the embedded store runs a worker in-process and reports it in GET /v1/sources', async () => {
    const s = scenario('start');
    await createTopics(s, 2);
    const token = await runCli(['token', 'create', '--role', 'admin', '--name', 'kafka-test'], s.env());
    expect(token.code, token.stderr).toBe(0);
    const server = await spawnCli(['start'], { ...s.env(), ACCESSPROOF_PORT: '0' }, /accessproof started/);
    children.push(server.child);
    const address = /"address":"(http:\/\/[^"]+)"/.exec(server.output())?.[1] ?? '';
    const ingest = await runCli(['ingest', '--source', 'okta', sharedPath('samples', 'okta.jsonl')], s.env());
    expect(ingest.code, ingest.stderr).toBe(0);
    const published = (JSON.parse(ingest.stdout) as { published: number }).published;
    await waitUntil(async () => (await groupLag(s)) === 0, 60_000, 'the in-process worker');
    const get = async (path: string): Promise<unknown> => (await fetch(`${address}${path}`, { headers: { authorization: `Bearer ${token.stdout.trim()}` } })).json();
    const { sources } = (await get('/v1/sources')) as { sources: { name: string; kind: string; state: string; metrics: Record<string, number> }[] };
    expect(sources.find((r) => r.name === `worker:${s.group}`)).toMatchObject({ kind: 'kafka', state: 'running', metrics: { kafka_lag: 0, records_total: published } });
    const { events } = (await get('/v1/events?source=okta&limit=5')) as { events: { source: string }[] };
    expect(events).toHaveLength(5);
    expect(events.every((e) => e.source === 'okta')).toBe(true);
    server.child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => server.child.once('exit', (c) => resolve(c)));
    expect(code).toBe(0);
  });

  it(`SIGKILL chaos: ${String(CHAOS_EVENTS)} events, workers killed 10 times at random and once in each crash window → every event stored exactly once`, async () => {
    const s = scenario('chaos');
    await createTopics(s, 6);
    await runStoreProbe('prepare', s.dataDir);
    const run = 'chaos';
    const file = writeLines('chaos.jsonl', syntheticOktaLines(run, CHAOS_EVENTS));
    const expected = new Set(Array.from({ length: CHAOS_EVENTS }, (_, i) => syntheticUuid(run, i)));
    // The connector path publishes while the workers are being killed.
    const producing = runCli(['ingest', '--source', 'okta', file], s.env());
    // Forced kills (reliability D1): W1 range recorded, nothing inserted; W2 batch partly inserted; W3 all inserted,
    // offset not committed. Random kills land anywhere, mostly inside the engine's insert.
    const plan = [
      'random', 'random', 'before-insert:2', 'random', 'random', 'mid-batch:1', 'random', 'random',
      'after-insert:2', 'random', 'random', 'random', 'random',
    ];
    const history: string[] = [];
    for (const step of plan) {
      const w = worker(s, step === 'random' ? [] : ['--test-fault', step]);
      if (step === 'random') {
        await w.waitFor(/"msg":"worker started"/, 60_000);
        const delay = 300 + Math.floor(Math.random() * 2000);
        await new Promise((r) => setTimeout(r, delay));
        w.kill('SIGKILL');
        history.push(`random kill after ${String(delay)} ms`);
      } else {
        const crashed = await Promise.race([w.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 90_000))]);
        expect(crashed, `fault ${step} never fired: ${w.output().slice(-2000)}`).toBe(true);
        expect(w.output()).toMatch(/test fault: crashing/);
        history.push(`fault ${step}`);
      }
      expect((await w.exited).signal).toBe('SIGKILL');
    }
    const produced = await producing;
    expect(produced.code, produced.stderr).toBe(0);
    expect(JSON.parse(produced.stdout)).toMatchObject({ read: CHAOS_EVENTS, published: CHAOS_EVENTS });
    // The input on the topic is exactly the generated records (no producer-side duplicates to explain away).
    const onTopic = (await admin.fetchTopicOffsets(s.topic)).reduce((n, p) => n + Number(p.high), 0);
    expect(onTopic).toBe(CHAOS_EVENTS);
    const last = await drain(s, 240_000);
    const dump = await runStoreProbe('dump', s.dataDir);
    const result = compare(expected, dump);
    const replays = [...running.map((w) => w.output()).join('\n').matchAll(/"mode":"(\w+)","first"/g)].map((m) => m[1]);
    console.info(`[chaos] ${String(history.length)} kills (${history.join('; ')}); re-deliveries: ${replays.join(',')}; final worker: ${/"verified_rows_total":\d+,"rewritten_rows_total":\d+/.exec(last.output())?.[0] ?? ''}; result ${JSON.stringify(result)}`);
    expect(result).toEqual({ missing: 0, unexpected: 0, rawDuplicates: 0 });
    expect(dump.final_rows).toBe(CHAOS_EVENTS);
    // The reconciliation rows are at-least-once: a re-delivered chunk replaces its own row, but a rewind with new
    // chunk boundaries can count some records twice (the stored events above are exact). Never fewer, nothing lost.
    expect(dump.batches.received).toBeGreaterThanOrEqual(CHAOS_EVENTS);
    expect(dump.batches.received).toBeLessThanOrEqual(CHAOS_EVENTS * 1.05);
    expect(dump.batches).toMatchObject({ events: dump.batches.received, dead_lettered: 0, dropped: 0 });
  });

  it('two workers in one group split the partitions and together store every event once', async () => {
    const s = scenario('split');
    await createTopics(s, 6);
    const dirs = [join(s.dataDir, 'a'), join(s.dataDir, 'b')];
    const [a, b] = dirs.map((dir) => worker(s, [], { ACCESSPROOF_DATA_DIR: dir })) as [WorkerProcess, WorkerProcess];
    // Produce only once both members share the partitions: no rebalance moves a batch between the two stores.
    await waitUntil(async () => {
      const { groups } = await admin.describeGroups([s.group]).catch(() => ({ groups: [] }));
      const g = groups[0];
      return g?.state === 'Stable' && g.members.length === 2 && g.members.every((m) => m.memberAssignment.length > 8);
    }, 60_000, 'a stable group of two');
    const run = 'split';
    const n = 30_000;
    const produced = await runCli(['ingest', '--source', 'okta', writeLines('split.jsonl', syntheticOktaLines(run, n))], s.env());
    expect(produced.code, produced.stderr).toBe(0);
    await waitUntil(async () => (await groupLag(s)) === 0, 120_000, 'both workers to drain');
    const partitionsOf = async (w: WorkerProcess): Promise<number[]> => {
      const snapshot = (await (await fetch(`${w.metricsUrl() ?? ''}/v1/worker`)).json()) as { partitions: { partition: number }[] };
      return snapshot.partitions.map((p) => p.partition);
    };
    const [pa, pb] = [await partitionsOf(a), await partitionsOf(b)];
    expect([...pa, ...pb].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    for (const w of [a, b]) w.kill('SIGTERM');
    for (const w of [a, b]) expect(await w.exited).toEqual({ code: 0, signal: null });
    const [da, db] = [await runStoreProbe('dump', dirs[0] as string), await runStoreProbe('dump', dirs[1] as string)];
    expect(da.ids.length).toBeGreaterThan(0);
    expect(db.ids.length).toBeGreaterThan(0);
    const inA = new Set(da.ids);
    expect(db.ids.filter((id) => inA.has(id))).toEqual([]);
    const expected = new Set(Array.from({ length: n }, (_, i) => syntheticUuid(run, i)));
    expect(compare(expected, { ...da, ids: [...da.ids, ...db.ids], raw_rows: da.raw_rows + db.raw_rows })).toEqual({ missing: 0, unexpected: 0, rawDuplicates: 0 });
  });

  it('the broker restarted mid-stream: nothing is lost', async () => {
    const s = scenario('restart');
    await createTopics(s, 3);
    const w = worker(s);
    await w.waitFor(/"msg":"worker started"/, 60_000);
    const run = 'restart';
    const n = 20_000;
    await publish(s, syntheticOktaLines(run, n / 2));
    // The second half is published while the broker restarts. A publish that fails is sent again, as a connector
    // does (it keeps its cursor), so the topic may legitimately hold duplicates: the oracle counts distinct ids.
    const restart = restartSharedKafkaBroker(controlUrl, { signal: 'SIGKILL' });
    const storedBeforeRestart = w.recordsTotal();
    await publish(s, syntheticOktaLines(run, n / 2, n / 2), 250);
    await restart;
    expect(storedBeforeRestart).toBeLessThan(n);
    await waitUntil(async () => (await groupLag(s)) === 0, 180_000, 'the worker to catch up after the restart').catch((error: unknown) => {
      // The worker's log is what tells a stuck consumer from a fail-closed one (ERR_KAFKA_OFFSET_GAP) or a slow one.
      console.info(`[restart] worker output:\n${w.output().slice(-12_000)}`);
      throw error;
    });
    w.kill('SIGTERM');
    expect(await w.exited, w.output().slice(-3000)).toEqual({ code: 0, signal: null });
    const dump = await runStoreProbe('dump', s.dataDir);
    const expected = new Set(Array.from({ length: n }, (_, i) => syntheticUuid(run, i)));
    const result = compare(expected, dump);
    expect({ missing: result.missing, unexpected: result.unexpected }).toEqual({ missing: 0, unexpected: 0 });
    expect(dump.final_rows).toBe(n);
  });

  it('negative control: acknowledging before storing loses events on a crash, and the oracle says so', async () => {
    const s = scenario('neg-ack');
    await createTopics(s, 3);
    const run = 'neg-ack';
    const n = 30_000;
    const produced = await runCli(['ingest', '--source', 'okta', writeLines('neg-ack.jsonl', syntheticOktaLines(run, n))], s.env());
    expect(produced.code, produced.stderr).toBe(0);
    const unsafe = worker(s, ['--test-unsafe-ack-before-store']);
    // Everything is committed long before it is stored; crash right then.
    await waitUntil(async () => (await groupLag(s)) === 0, 60_000, 'the unsafe worker to commit everything');
    unsafe.kill('SIGKILL');
    await unsafe.exited;
    await drain(s, 60_000);
    const result = compare(new Set(Array.from({ length: n }, (_, i) => syntheticUuid(run, i))), await runStoreProbe('dump', s.dataDir));
    console.info(`[negative control: ack before store] ${JSON.stringify(result)}`);
    expect(result.missing).toBeGreaterThan(0);
    expect(result.unexpected).toBe(0);
  });

  it('negative control: without ledger tokens a re-delivered batch duplicates raw rows; with them it adds nothing', async () => {
    const run = 'neg-dedup';
    const n = 10_000;
    const file = writeLines('neg-dedup.jsonl', syntheticOktaLines(run, n));
    const expected = new Set(Array.from({ length: n }, (_, i) => syntheticUuid(run, i)));
    const crashAfterInsert = async (name: string, mode: readonly string[]): Promise<{ missing: number; unexpected: number; rawDuplicates: number }> => {
      const s = scenario(name);
      await createTopics(s, 1);
      await runStoreProbe('prepare', s.dataDir);
      const produced = await runCli(['ingest', '--source', 'okta', file], s.env());
      expect(produced.code, produced.stderr).toBe(0);
      // W3: the first batch is stored, its offset is not committed; the next worker gets it again.
      const w = worker(s, [...mode, '--test-fault', 'after-insert:1']);
      expect((await w.exited).signal).toBe('SIGKILL');
      await drain(s, 60_000, mode);
      return compare(expected, await runStoreProbe('dump', s.dataDir));
    };
    const unsafe = await crashAfterInsert('neg-dedup', ['--test-unsafe-content-tokens']);
    const safe = await crashAfterInsert('ledger-dedup', []);
    console.info(`[negative control: content tokens] ${JSON.stringify(unsafe)}; [range ledger] ${JSON.stringify(safe)}`);
    expect(unsafe.rawDuplicates).toBeGreaterThan(0);
    expect({ missing: unsafe.missing, unexpected: unsafe.unexpected }).toEqual({ missing: 0, unexpected: 0 });
    expect(safe).toEqual({ missing: 0, unexpected: 0, rawDuplicates: 0 });
  });
});
