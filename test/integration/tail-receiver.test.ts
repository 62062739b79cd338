import { appendFileSync, copyFileSync, mkdirSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.ts';
import { createPipeline, type Pipeline } from '../../ingest/pipeline.ts';
import { TailConfig } from '../../ingest/receivers/receivers-config.ts';
import { parseTailCursor } from '../../ingest/receivers/tail-cursor.ts';
import { startTailer, tailCursorName, type Tailer } from '../../ingest/receivers/tail.ts';
import type { Store } from '../../schema/store/store.ts';
import { sharedPath } from '../helpers/shared.ts';
import { openTempStore } from '../helpers/temp-store.ts';
import { testDeps } from '../helpers/silent-context.ts';

/** A clock the test moves by hand (idle flush and rotation waits), starting at the wall time. */
function manualClock() {
  let t = Date.now();
  return { now: () => new Date(t), advance: (ms: number) => { t += ms; } };
}

/** One Teleport audit event line for user `<tag><i>@example.com` with a unique uid. */
const tp = (tag: string, i: number): string => `${JSON.stringify({
  ei: 0, event: 'user.login', uid: `00000000-0000-4000-8${tag.charCodeAt(0).toString(16).padStart(3, '0')}-${i.toString(16).padStart(12, '0')}`,
  code: 'T1000I', time: '2025-03-11T09:00:40.215Z', cluster_name: 'teleport.example.com', user: `${tag}${i}@example.com`,
  success: true, method: 'local', 'addr.remote': '203.0.113.10:51844',
})}\n`;
const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, k) => a + k);

describe('tail receiver → pipeline → chDB', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let dir: string;
  let pipeline: Pipeline;
  const clock = manualClock();
  const running: Tailer[] = [];

  beforeAll(async () => {
    let tmp: string;
    ({ store, cleanup, dir: tmp } = await openTempStore());
    dir = join(tmp, 'logs');
    mkdirSync(dir);
    pipeline = createPipeline({ store, ...testDeps() });
  });
  afterAll(async () => {
    for (const t of running) await t.stop();
    await cleanup();
  });

  const start = async (config: Record<string, unknown>): Promise<Tailer> => {
    const t = await startTailer({
      config: TailConfig.parse({ poll_ms: 60_000, rotate_wait_ms: 1000, idle_flush_ms: 500, ...config }),
      store, pipeline, logger: silentLogger(), clock,
    });
    running.push(t);
    return t;
  };
  /** Stored copies per user (no FINAL: a line read twice would show up as 2). */
  const perUser = async (tag: string): Promise<Map<string, number>> => {
    const rows = await store.query<{ user: string; n: string }>(
      "SELECT user, count() AS n FROM auth_events WHERE source = 'teleport' AND startsWith(user, {tag:String}) GROUP BY user", { tag });
    return new Map(rows.map((r) => [r.user, Number(r.n)]));
  };
  const expectExactlyOnce = async (tag: string, ids: number[]): Promise<void> => {
    const got = await perUser(tag);
    expect([...got.entries()].sort()).toEqual(ids.map((i) => [`${tag}${i}@example.com`, 1]).sort());
  };
  const cursorOf = async (name: string) => parseTailCursor(await store.getCursor(tailCursorName(name)));

  it('follows a file across appends, a partial last line, rename and copytruncate rotations and restarts: every line once', async () => {
    const path = join(dir, 'teleport', 'audit.log');
    mkdirSync(join(dir, 'teleport'));
    const line6 = tp('f', 6);
    writeFileSync(path, range(1, 5).map((i) => tp('f', i)).join('') + line6.slice(0, 40));
    let t = await start({ name: 'tp', path, source: 'teleport' });
    await t.poll();
    await expectExactlyOnce('f', range(1, 5));

    appendFileSync(path, line6.slice(40) + tp('f', 7) + tp('f', 8));
    await t.poll();
    await expectExactlyOnce('f', range(1, 8));

    // Rename rotation; the writer still appends to the old file for a while before it reopens.
    renameSync(path, `${path}.1`);
    appendFileSync(`${path}.1`, tp('f', 9));
    writeFileSync(path, tp('f', 10) + tp('f', 11));
    await t.poll();
    appendFileSync(`${path}.1`, tp('f', 12));
    await t.poll();
    await expectExactlyOnce('f', range(1, 12));
    expect((await cursorOf('tp'))?.files).toHaveLength(2);
    clock.advance(1500);
    await t.poll();
    expect((await cursorOf('tp'))?.files.map((f) => f.path)).toEqual([path]);

    // copytruncate with lines the tailer has not read yet: they are read from the copy, not lost.
    appendFileSync(path, tp('f', 13) + tp('f', 14));
    copyFileSync(path, `${path}.2`);
    truncateSync(path, 0);
    appendFileSync(path, tp('f', 15));
    await t.poll();
    clock.advance(1500);
    await t.poll();
    await expectExactlyOnce('f', range(1, 15));

    // Clean restart.
    await t.stop();
    appendFileSync(path, tp('f', 16) + tp('f', 17));
    t = await start({ name: 'tp', path, source: 'teleport' });
    await t.poll();
    await expectExactlyOnce('f', range(1, 17));

    // Rotation while stopped: the old file is found again by inode next to the new one.
    await t.stop();
    appendFileSync(path, tp('f', 18));
    renameSync(path, `${path}.3`);
    writeFileSync(path, tp('f', 19));
    t = await start({ name: 'tp', path, source: 'teleport' });
    await t.poll();
    clock.advance(1500);
    await t.poll();
    await expectExactlyOnce('f', range(1, 19));
    const [raw] = await store.query<{ n: string }>("SELECT count() AS n FROM raw_events WHERE source = 'teleport' AND startsWith(input_ref, {p:String})", { p: path });
    expect(Number(raw?.n)).toBe(19);
    await t.stop();
  });

  it('tails every file of a directory: new files, in-directory rename, copytruncate seen in two steps, compressed files ignored', async () => {
    const d = join(dir, 'dir');
    mkdirSync(d);
    writeFileSync(join(d, 'a.log'), tp('d', 1) + tp('d', 2) + tp('d', 3));
    writeFileSync(join(d, 'b.log'), tp('d', 4));
    writeFileSync(join(d, 'old.log.gz'), tp('d', 99));
    let t = await start({ name: 'dir', path: d, source: 'teleport' });
    await t.poll();
    await expectExactlyOnce('d', range(1, 4));

    writeFileSync(join(d, 'c.log'), tp('d', 5));
    renameSync(join(d, 'a.log'), join(d, 'a.log.1'));
    writeFileSync(join(d, 'a.log'), tp('d', 6));
    appendFileSync(join(d, 'a.log.1'), tp('d', 7));
    await t.poll();
    await expectExactlyOnce('d', range(1, 7));

    // copytruncate, observed between the copy and the truncation: the copy waits as a shadow of b.log.
    appendFileSync(join(d, 'b.log'), tp('d', 8));
    copyFileSync(join(d, 'b.log'), join(d, 'b.log.1'));
    await t.poll();
    truncateSync(join(d, 'b.log'), 0);
    appendFileSync(join(d, 'b.log'), tp('d', 9));
    await t.poll();
    // A plain copy of a followed file (a backup) is never read.
    copyFileSync(join(d, 'c.log'), join(d, 'c.log.bak'));
    await t.poll();
    await expectExactlyOnce('d', range(1, 9));

    await t.stop();
    appendFileSync(join(d, 'c.log'), tp('d', 10));
    t = await start({ name: 'dir', path: d, source: 'teleport' });
    await t.poll();
    await expectExactlyOnce('d', range(1, 10));
    await t.stop();
  });

  it('merges sshd lines of one connection through the tailer, holding a login that awaits its second factor, across a crash', async () => {
    const path = join(dir, 'auth.log');
    const sample = readFileSync(sharedPath('samples', 'openssh.log'), 'utf8').split('\n');
    // Lines 1-7: alice's certificate login and its close; 8-9: heidi's Partial publickey + Postponed.
    writeFileSync(path, `${sample.slice(0, 9).join('\n')}\n`);
    let t = await start({ name: 'auth', path, source: 'sshd' });
    await t.poll();
    clock.advance(5000); // well past idle_flush_ms: heidi's connection is held, alice's records are stored
    await t.poll();
    const cursor = await cursorOf('auth');
    const heldAt = Buffer.byteLength(`${sample.slice(0, 7).join('\n')}\n`);
    expect(cursor?.files[0]).toMatchObject({ offset: heldAt, line: 7 });

    // Crash: nothing flushed; the held lines are read again from the saved offset.
    await t.stop({ flush: false });
    appendFileSync(path, `${sample.slice(9, 14).join('\n')}\n`);
    t = await start({ name: 'auth', path, source: 'sshd' });
    await t.poll();
    clock.advance(1000);
    await t.poll();
    const rows = await store.query<{ user: string; event_type: string; auth_method: string; methods: string; key_id: string; input_ref: string }>(
      `SELECT user, event_type, auth_method, details['auth_methods'] AS methods, details['cert_key_id'] AS key_id, r.input_ref AS input_ref
       FROM auth_events AS e LEFT JOIN (SELECT raw_sha256, any(input_ref) AS input_ref FROM raw_events GROUP BY raw_sha256) AS r ON r.raw_sha256 = e.raw_sha256
       WHERE source = 'sshd' AND resource IN ('bastion-1', 'legacy-build-1') ORDER BY event_time, event_type`);
    expect(rows.map((r) => [r.user, r.event_type, r.auth_method, r.methods])).toEqual([
      ['alice@example.com', 'sshd.accepted', 'certificate', 'publickey'],
      ['alice', 'sshd.session_closed', 'unknown', ''],
      ['heidi', 'sshd.accepted', 'publickey', 'publickey,keyboard-interactive/pam'],
      ['bob', 'sshd.failed', 'password', 'password'],
      ['bob', 'sshd.accepted', 'password', 'password'],
    ]);
    expect(rows[0]?.key_id).toBe('alice@example.com');
    expect(rows[2]?.input_ref).toBe(`${path}:8,9,10,11`);
    await t.stop();
  });

  it('keeps what it read when storing fails, stores it on the next cycle, and saves the cursor only then', async () => {
    const path = join(dir, 'flaky.log');
    writeFileSync(path, tp('g', 1) + tp('g', 2));
    let failures = 0;
    const flaky: Pipeline = {
      handle: (records, connector) => (failures++ === 0 ? Promise.reject(new Error('store down')) : pipeline.handle(records, connector)),
      deadLetter: (rows) => pipeline.deadLetter(rows),
    };
    const t = await startTailer({ config: TailConfig.parse({ name: 'flaky', path, source: 'teleport', poll_ms: 60_000 }), store, pipeline: flaky, logger: silentLogger(), clock });
    running.push(t);
    // The first cycle (started with the tailer) fails to store; this one stores the same lines.
    await t.poll();
    expect(failures).toBe(2);
    await expectExactlyOnce('g', [1, 2]);
    expect((await cursorOf('flaky'))?.files[0]?.offset).toBe(Buffer.byteLength(tp('g', 1) + tp('g', 2)));
    await t.stop();
  });

  it('starts at the end when asked, and dead-letters invalid JSON and over-long lines with their line numbers', async () => {
    const path = join(dir, 'late.log');
    writeFileSync(path, tp('e', 1) + tp('e', 2));
    const t = await start({ name: 'late', path, source: 'teleport', start_at: 'end', max_line_bytes: 1024 });
    await t.poll();
    appendFileSync(path, `${tp('e', 3)}{"event": "user.login", truncated\n${'x'.repeat(3000)}\n${tp('e', 4)}`);
    await t.poll();
    await expectExactlyOnce('e', [3, 4]);
    const dead = await store.query<{ reason: string; stage: string; input_ref: string; len: string }>(
      "SELECT reason, stage, input_ref, length(raw) AS len FROM dead_letters FINAL WHERE source = 'teleport' ORDER BY input_ref");
    expect(dead.map((r) => [r.reason, r.stage, r.input_ref])).toEqual([
      ['invalid_json', 'framing', `${path}:4`],
      ['line_too_long', 'framing', `${path}:5`],
    ]);
    expect(Number(dead[1]?.len)).toBeLessThanOrEqual(4096);
    await t.stop();
  });
});
