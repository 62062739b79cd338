import { randomUUID } from 'node:crypto';
import { AssignerProtocol, Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HEADER, type Bus, type BusBatch, type BusMessage } from '../../ingest/bus/bus.ts';
import { BusError } from '../../ingest/bus/bus-error.ts';
import { initTopics } from '../../ingest/bus/kafka-admin.ts';
import { kafkaGzipCodecStats } from '../../ingest/bus/kafka-gzip-codec.ts';
import { createKafkaBus, type KafkaBusOptions } from '../../ingest/bus/kafka-bus.ts';
import { restartSharedKafkaBroker } from './global-setup.ts';

const brokers = inject('kafkaBrokers');
const controlUrl = inject('kafkaControlUrl');
const prefix = `test-${randomUUID().slice(0, 8)}`;
const buses: Bus[] = [];
let admin: Admin;

// KAFKA_TEST_LOG=1 prints the bus's and kafkajs's logs (debugging only).
const print = (level: string) => (obj: object, msg: string) => console.info(level, msg, JSON.stringify(obj));
const logger = process.env['KAFKA_TEST_LOG'] === '1'
  ? { debug: print('debug'), info: print('info'), warn: print('warn'), error: print('error') }
  : undefined;

/** A bus tuned for fast tests: short polls and heartbeats, quick retries. */
function bus(overrides: Partial<KafkaBusOptions> = {}): Bus {
  const created = createKafkaBus({
    brokers,
    clientId: `${prefix}-client`,
    logger,
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 500,
    maxWaitTimeMs: 200,
    retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 8 },
    ...overrides,
  });
  buses.push(created);
  return created;
}

async function topic(name: string, partitions: number): Promise<string> {
  const full = `${prefix}.${name}`;
  await initTopics({ brokers, topics: [{ name: full, partitions, replicationFactor: 1 }] });
  return full;
}

function msg(id: string, key = `okta:${id}`): BusMessage {
  return {
    key,
    value: Buffer.from(JSON.stringify({ id })),
    headers: {
      [HEADER.source]: 'okta',
      [HEADER.receivedAt]: '2025-03-11T08:00:00.000Z',
      [HEADER.rawSha256]: `sha-${id}`,
      [HEADER.inputRef]: `test:${id}`,
    },
  };
}

const idOf = (m: BusMessage): string => (JSON.parse(m.value.toString('utf8')) as { id: string }).id;

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${String(timeoutMs)} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Committed offset per partition ('-1' when none). */
async function committed(group: string, name: string): Promise<Record<number, string>> {
  const [result] = await admin.fetchOffsets({ groupId: group, topics: [name] });
  return Object.fromEntries((result?.partitions ?? []).map((p) => [p.partition, p.offset]));
}

async function highWatermarks(name: string): Promise<Record<number, string>> {
  return Object.fromEntries((await admin.fetchTopicOffsets(name)).map((p) => [p.partition, p.high]));
}

/** Advances the log start of partition 0 as retention would. */
async function deleteRecordsBefore(name: string, offset: string): Promise<void> {
  // kafkajs looks the leader up in cached metadata before loading it: load it first.
  await admin.fetchTopicOffsets(name);
  await admin.deleteTopicRecords({ topic: name, partitions: [{ partition: 0, offset }] });
}

beforeAll(async () => {
  admin = new Kafka({ clientId: `${prefix}-admin`, brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
});

afterAll(async () => {
  await Promise.all(buses.map((b) => b.close()));
  await admin.disconnect();
});

describe('kafka bus', () => {
  it('round-trips keys, values and headers; one key stays on one partition in order; commits everything', async () => {
    const name = await topic('roundtrip', 3);
    const ids = Array.from({ length: 30 }, (_, i) => `e${String(i).padStart(2, '0')}`);
    const b = bus();
    await b.publish(name, ids.map((id, i) => msg(id, `okta:user${String(i % 5)}`)));

    const got: { partition: number; message: BusMessage }[] = [];
    const sub = await b.subscribe(name, `${prefix}-roundtrip`, async (batch) => {
      for (const message of batch.messages) got.push({ partition: batch.partition, message });
    });
    await waitFor(() => got.length >= ids.length, 30_000, 'all messages');
    await sub.stop();

    expect(got.map((g) => idOf(g.message)).sort()).toEqual(ids);
    const first = got.find((g) => idOf(g.message) === 'e07')?.message;
    expect(first?.key).toBe('okta:user2');
    expect(first?.headers).toEqual({
      source: 'okta',
      received_at: '2025-03-11T08:00:00.000Z',
      raw_sha256: 'sha-e07',
      input_ref: 'test:e07',
    });
    for (let user = 0; user < 5; user += 1) {
      const mine = got.filter((g) => g.message.key === `okta:user${String(user)}`);
      expect(new Set(mine.map((g) => g.partition)).size).toBe(1);
      expect(mine.map((g) => idOf(g.message))).toEqual(ids.filter((_, i) => i % 5 === user));
    }
    expect(await committed(`${prefix}-roundtrip`, name)).toEqual(await highWatermarks(name));
  });

  it('reads one batch ahead on its consumer thread: the next batch is fetched while the handler runs, handed over only after it', async () => {
    const name = await topic('readahead', 1);
    const group = `${prefix}-readahead`;
    const logs: { msg: string; obj: Record<string, unknown> }[] = [];
    const keep = (obj: object, msg: string): void => {
      logs.push({ msg, obj: obj as Record<string, unknown> });
    };
    const b = bus({ logger: { debug: keep, info: keep, warn: keep, error: keep } });
    const inflatesBefore = kafkaGzipCodecStats().inflates;
    await b.publish(name, [msg('r0'), msg('r1')]);
    const order: string[] = [];
    let releaseFirst: () => void = () => undefined;
    const firstMayEnd = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    const sub = await b.subscribe(name, group, async (batch) => {
      const ids = batch.messages.map(idOf);
      order.push(`start ${ids.join(',')}`);
      if (ids.includes('r0')) {
        // A second record batch while the first is being handled: the consumer thread fetches it now.
        await b.publish(name, [msg('r2')]);
        await firstMayEnd;
      }
      order.push(`end ${ids.join(',')}`);
    });
    await waitFor(() => logs.some((l) => l.msg === 'batch read ahead' && l.obj['first'] === '2'), 30_000, 'the next batch fetched ahead');
    // Fetched, but not handed to the handler before the first batch is done.
    expect(order).toEqual(['start r0,r1']);
    expect((await committed(group, name))[0]).toBe('-1');
    releaseFirst();
    await waitFor(async () => (await committed(group, name))[0] === '3', 30_000, 'both batches committed');
    await sub.stop();
    expect(order).toEqual(['start r0,r1', 'end r0,r1', 'start r2', 'end r2']);
    // The consumer thread inflated the GZIP record batches with the product's codec; it reports its counters at stop.
    expect(kafkaGzipCodecStats().inflates).toBeGreaterThanOrEqual(inflatesBefore + 2);
  });

  it('a batch that fails while the next one is read ahead is delivered again first; the read-ahead batch waits for it', async () => {
    const name = await topic('readahead-fail', 1);
    const group = `${prefix}-readahead-fail`;
    const logs: string[] = [];
    const keep = (_obj: object, msg: string): void => {
      logs.push(msg);
    };
    const b = bus({ logger: { debug: keep, info: keep, warn: keep, error: keep } });
    await b.publish(name, [msg('f0'), msg('f1')]);
    const deliveries: { ids: string[]; ok: boolean }[] = [];
    let failed = false;
    const sub = await b.subscribe(name, group, async (batch) => {
      const ids = batch.messages.map(idOf);
      if (!failed) {
        failed = true;
        await b.publish(name, [msg('f2')]);
        await waitFor(() => logs.includes('batch read ahead'), 30_000, 'the next batch fetched ahead');
        deliveries.push({ ids, ok: false });
        throw new Error('store unavailable');
      }
      deliveries.push({ ids, ok: true });
    });
    await waitFor(async () => (await committed(group, name))[0] === '3', 30_000, 'everything committed');
    await sub.stop();
    expect(deliveries[0]).toEqual({ ids: ['f0', 'f1'], ok: false });
    // The failed batch's records come again before (or with) the read-ahead one; nothing is skipped.
    expect(deliveries[1]?.ids.slice(0, 2)).toEqual(['f0', 'f1']);
    expect(new Set(deliveries.filter((d) => d.ok).flatMap((d) => d.ids))).toEqual(new Set(['f0', 'f1', 'f2']));
  });

  it('two members of one group split the partitions and together receive everything exactly once', async () => {
    const name = await topic('split', 4);
    const group = `${prefix}-split`;
    const received: { member: string; partition: number; id: string }[] = [];
    const handler = (member: string) => async (batch: BusBatch) => {
      for (const m of batch.messages) received.push({ member, partition: batch.partition, id: idOf(m) });
    };
    const subA = await bus().subscribe(name, group, handler('a'));
    const subB = await bus().subscribe(name, group, handler('b'));
    await waitFor(
      async () => {
        const [description] = (await admin.describeGroups([group])).groups;
        if (description?.state !== 'Stable' || description.members.length !== 2) return false;
        return description.members.every((m) => {
          const assignment = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
          return (assignment?.assignment[name]?.length ?? 0) === 2;
        });
      },
      60_000,
      'a stable group with two members of two partitions each',
    );

    const ids = Array.from({ length: 200 }, (_, i) => `s${String(i)}`);
    await bus().publish(name, ids.map((id) => msg(id)));
    await waitFor(() => received.length >= ids.length, 30_000, 'all 200 messages');
    await new Promise((r) => setTimeout(r, 500)); // would expose late duplicates
    await Promise.all([subA.stop(), subB.stop()]);

    expect(received).toHaveLength(200);
    expect(new Set(received.map((r) => r.id)).size).toBe(200);
    const partitionsOf = (member: string): number[] =>
      [...new Set(received.filter((r) => r.member === member).map((r) => r.partition))].sort();
    expect(partitionsOf('a')).toHaveLength(2);
    expect(partitionsOf('b')).toHaveLength(2);
    expect([...partitionsOf('a'), ...partitionsOf('b')].sort()).toEqual([0, 1, 2, 3]);
    expect(await committed(group, name)).toEqual(await highWatermarks(name));
  });

  it('redelivers a batch whose handler threw (kafkajs retry, then a bounded restart) and commits only after success', async () => {
    const name = await topic('retry', 1);
    const group = `${prefix}-retry`;
    const b = bus();
    const deliveries: string[][] = [];
    const fatal: BusError[] = [];
    const flaky = createKafkaBus({
      brokers,
      clientId: `${prefix}-flaky`,
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 500,
      maxWaitTimeMs: 200,
      retry: { initialRetryTime: 100, maxRetryTime: 200, retries: 1 },
      maxRestarts: 1,
      onFatal: (error) => fatal.push(error),
    });
    buses.push(flaky);
    await b.publish(name, [msg('ok-0'), msg('ok-1')]);
    let failuresLeft = 3;
    const committedAtFailure: (string | undefined)[] = [];
    const sub = await flaky.subscribe(name, group, async (batch) => {
      const values = batch.messages.map(idOf);
      deliveries.push(values);
      if (values.includes('poison-2') && failuresLeft > 0) {
        failuresLeft -= 1;
        committedAtFailure.push((await committed(group, name))[0]);
        throw new Error('store unavailable');
      }
    });
    await waitFor(async () => (await committed(group, name))[0] === '2', 30_000, 'first batch committed');
    await b.publish(name, [msg('poison-2'), msg('ok-3')]);
    await waitFor(async () => (await committed(group, name))[0] === '4', 60_000, 'failing batch finally committed');
    await sub.stop();

    const poisonDeliveries = deliveries.filter((d) => d.includes('poison-2'));
    // retries: 1 → two deliveries per run; one crash and restart → two more; the 4th succeeds.
    expect(poisonDeliveries).toEqual([
      ['poison-2', 'ok-3'],
      ['poison-2', 'ok-3'],
      ['poison-2', 'ok-3'],
      ['poison-2', 'ok-3'],
    ]);
    expect(committedAtFailure).toEqual(['2', '2', '2']); // nothing committed past the failing batch
    expect(fatal).toEqual([]);
  });

  it('stops for good after the restart budget, with nothing committed past the failing batch', async () => {
    const name = await topic('crash', 1);
    const group = `${prefix}-crash`;
    const fatal: BusError[] = [];
    const crashing = bus({
      retry: { initialRetryTime: 100, maxRetryTime: 200, retries: 1 },
      maxRestarts: 0,
      onFatal: (error) => fatal.push(error),
    });
    await bus().publish(name, [msg('c0'), msg('c1'), msg('c2')]);
    let deliveries = 0;
    await crashing.subscribe(name, group, async () => {
      deliveries += 1;
      throw new Error('handler bug');
    });
    await waitFor(() => fatal.length > 0, 30_000, 'onFatal');
    expect(fatal[0]?.code).toBe('ERR_KAFKA_CONSUMER_FAILED');
    expect(fatal[0]?.message).toContain('handler bug');
    expect(deliveries).toBe(2);
    expect((await committed(group, name))[0]).toBe('-1');

    // Another member of the group later gets the very same records.
    const seen: string[] = [];
    const sub = await bus().subscribe(name, group, async (batch) => {
      seen.push(...batch.messages.map(idOf));
    });
    await waitFor(() => seen.length >= 3, 30_000, 'redelivery to a new member');
    await sub.stop();
    expect(seen).toEqual(['c0', 'c1', 'c2']);
    expect((await committed(group, name))[0]).toBe('3');
  });

  it('a non-retriable handler error stops the consumer at once', async () => {
    const name = await topic('nonretriable', 1);
    const group = `${prefix}-nonretriable`;
    const fatal: BusError[] = [];
    const b = bus({ maxRestarts: 5, onFatal: (error) => fatal.push(error) });
    await b.publish(name, [msg('n0')]);
    let deliveries = 0;
    await b.subscribe(name, group, async () => {
      deliveries += 1;
      throw new BusError('ERR_BUS_STOPPED', 'permanent', { retriable: false });
    });
    await waitFor(() => fatal.length > 0, 30_000, 'onFatal');
    expect(deliveries).toBe(1);
    expect(fatal[0]?.message).toBe('permanent');
    expect((await committed(group, name))[0]).toBe('-1');
  });

  it('graceful stop lets the in-flight batch finish, commits it and leaves the group', async () => {
    const name = await topic('graceful', 1);
    const group = `${prefix}-graceful`;
    const b = bus();
    await b.publish(name, Array.from({ length: 10 }, (_, i) => msg(`g${String(i)}`)));
    let started = false;
    let finished = false;
    let staleDuringDrain: boolean | undefined;
    const sub = await b.subscribe(name, group, async (batch) => {
      started = true;
      await new Promise((r) => setTimeout(r, 1_000));
      staleDuringDrain = batch.isStale();
      finished = true;
    });
    await waitFor(() => started, 30_000, 'batch started');
    await sub.stop();
    expect(finished).toBe(true);
    expect(staleDuringDrain).toBe(false);
    expect((await committed(group, name))[0]).toBe('10');
    const [description] = (await admin.describeGroups([group])).groups;
    expect(description?.state).toBe('Empty');
  });

  it('a handler that returns early on a stale batch (stop timeout) is not acknowledged', async () => {
    const name = await topic('stale', 1);
    const group = `${prefix}-stale`;
    const b = bus({ stopTimeoutMs: 300 });
    await b.publish(name, [msg('x0'), msg('x1')]);
    let started = false;
    let sawStale = false;
    const sub = await b.subscribe(name, group, async (batch) => {
      started = true;
      await waitFor(() => batch.isStale(), 30_000, 'stale');
      sawStale = true;
    });
    await waitFor(() => started, 30_000, 'batch started');
    await sub.stop();
    expect(sawStale).toBe(true);
    expect((await committed(group, name))[0]).toBe('-1');
  });

  it('refuses to start a group whose unread records were deleted (ERR_KAFKA_OFFSET_GAP)', async () => {
    const name = await topic('gap', 1);
    const b = bus();
    await b.publish(name, Array.from({ length: 10 }, (_, i) => msg(`p${String(i)}`)));

    // A group that consumed 0..9, then records 10..14 are deleted before it reads them.
    const seen: string[] = [];
    const sub = await b.subscribe(name, `${prefix}-gap-old`, async (batch) => {
      seen.push(...batch.messages.map(idOf));
    });
    await waitFor(() => seen.length >= 10, 30_000, 'first 10');
    await sub.stop();
    await b.publish(name, Array.from({ length: 10 }, (_, i) => msg(`p${String(i + 10)}`)));
    await deleteRecordsBefore(name, '15');

    const old = await b.subscribe(name, `${prefix}-gap-old`, async () => undefined).catch((e: unknown) => e);
    expect(old).toBeInstanceOf(BusError);
    expect((old as BusError).code).toBe('ERR_KAFKA_OFFSET_GAP');
    expect((old as BusError).message).toContain('offsets 10..14 were deleted');
    // A group with no offsets at all while the log no longer starts at 0 fails closed too.
    const fresh = await b.subscribe(name, `${prefix}-gap-new`, async () => undefined).catch((e: unknown) => e);
    expect((fresh as BusError).code).toBe('ERR_KAFKA_OFFSET_GAP');
    expect((fresh as BusError).message).toContain('no committed offset');
    expect((await committed(`${prefix}-gap-old`, name))[0]).toBe('10');
  });

  it('fails closed when records are deleted while the group is consuming (no silent kafkajs reset)', async () => {
    const name = await topic('gap-live', 1);
    const group = `${prefix}-gap-live`;
    const fatal: BusError[] = [];
    const b = bus({ retry: { initialRetryTime: 100, maxRetryTime: 200, retries: 2 }, onFatal: (e) => fatal.push(e) });
    await b.publish(name, Array.from({ length: 5 }, (_, i) => msg(`l${String(i)}`)));
    const handled: string[] = [];
    let block = false;
    let blocked = false;
    await b.subscribe(name, group, async (batch) => {
      const ids = batch.messages.map(idOf);
      if (block) {
        blocked = true;
        // Records 5..9 are deleted while this batch is in flight; then the store "fails", forcing a re-fetch.
        await deleteRecordsBefore(name, '8');
        block = false;
        throw new Error('store unavailable');
      }
      handled.push(...ids);
    });
    await waitFor(() => handled.length >= 5, 30_000, 'first 5');
    await waitFor(async () => (await committed(group, name))[0] === '5', 30_000, 'commit 5');
    block = true;
    await b.publish(name, Array.from({ length: 5 }, (_, i) => msg(`l${String(i + 5)}`)));
    await waitFor(() => fatal.length > 0, 60_000, 'onFatal');
    expect(blocked).toBe(true);
    expect(fatal[0]?.code).toBe('ERR_KAFKA_OFFSET_GAP');
    expect(handled).toEqual(['l0', 'l1', 'l2', 'l3', 'l4']);
    console.info(`[gap-live] committed after the kafkajs reset: ${JSON.stringify(await committed(group, name))}`);
    // The refusal survives a restart of the worker: the group cannot silently resume past the hole.
    const again = await bus().subscribe(name, group, async () => undefined).catch((e: unknown) => e);
    expect((again as BusError).code).toBe('ERR_KAFKA_OFFSET_GAP');
  });

  it('loses nothing when the broker restarts mid-stream', async () => {
    const name = await topic('restart', 3);
    const group = `${prefix}-restart`;
    const consumed: string[] = [];
    const sub = await bus().subscribe(name, group, async (batch) => {
      consumed.push(...batch.messages.map(idOf));
    });
    const producer = bus();
    const acked: string[] = [];
    let publishRetries = 0;
    let restart: Promise<number> | undefined;
    for (let call = 0; call < 30; call += 1) {
      const ids = Array.from({ length: 10 }, (_, i) => `r${String(call * 10 + i)}`);
      if (call === 10) restart = restartSharedKafkaBroker(controlUrl, { signal: 'SIGKILL' });
      // Like a Source: retry the same records until publish resolves, only then count them as handed over.
      for (let attempt = 0; ; attempt += 1) {
        try {
          await producer.publish(name, ids.map((id) => msg(id)));
          break;
        } catch (error) {
          if (attempt >= 20) throw error;
          publishRetries += 1;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      acked.push(...ids);
      await new Promise((r) => setTimeout(r, 50));
    }
    const restartMs = await restart;
    await waitFor(() => acked.every((id) => consumed.includes(id)), 120_000, 'every acked record consumed');
    await sub.stop();

    expect(acked).toHaveLength(300);
    expect(new Set(consumed)).toEqual(new Set(acked));
    expect(await committed(group, name)).toEqual(await highWatermarks(name));
    // Reported for the record: duplicates are allowed (at-least-once), losses are not.
    console.info(`[kafka restart] broker back after ${String(restartMs)} ms; publish retries ${String(publishRetries)}; duplicates ${String(consumed.length - new Set(consumed).size)}`);
  });
});

describe('initTopics', () => {
  it('creates topics once and reports them as existing afterwards; refuses a partition shrink', async () => {
    const raw = `${prefix}.init.raw`;
    const dead = `${prefix}.init.dead-letter`;
    const specs = [
      { name: raw, partitions: 3, replicationFactor: 1 },
      { name: dead, partitions: 3, replicationFactor: 1, config: { 'retention.ms': '3600000' } },
    ];
    expect(await initTopics({ brokers, topics: specs })).toEqual({ created: [raw, dead], existing: [] });
    expect(await initTopics({ brokers, topics: specs })).toEqual({ created: [], existing: [raw, dead] });
    const metadata = await admin.fetchTopicMetadata({ topics: [raw] });
    expect(metadata.topics[0]?.partitions).toHaveLength(3);

    const tooMany = await initTopics({ brokers, topics: [{ name: raw, partitions: 6, replicationFactor: 1 }] }).catch(
      (e: unknown) => e,
    );
    expect((tooMany as BusError).code).toBe('ERR_KAFKA_TOPIC_INIT');
  });

  it('subscribing to a missing topic fails clearly instead of creating it', async () => {
    const missing = await bus()
      .subscribe(`${prefix}.does-not-exist`, `${prefix}-missing`, async () => undefined)
      .catch((e: unknown) => e);
    expect((missing as BusError).code).toBe('ERR_KAFKA_TOPIC_MISSING');
    expect(await admin.listTopics()).not.toContain(`${prefix}.does-not-exist`);
  });
});
