import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChdbConnection } from 'chdb/connection';
import { afterAll, describe, expect, it } from 'vitest';
import {
  boolColumn, bytesColumn, encodeNative, isoToMs, NativeBlockBuilder, NativeWriter, releaseBodies, repeatedStringColumn, stringColumn,
  stringMapColumn, time64Column, uint64Column,
} from '../../../schema/store/native.ts';

interface Row { s: string; r: string; b: boolean; n: number; t: number; m: Record<string, string>; raw: Buffer }

const rows: Row[] = [
  { s: '', r: 'okta', b: true, n: 0, t: Date.parse('2025-03-11T09:00:05.123Z'), m: {}, raw: Buffer.from('{"a":1}') },
  { s: 'é ünïcødé — 日本語 🔐', r: 'okta', b: false, n: 2 ** 40 + 7, t: Date.parse('1999-12-31T23:59:59.999Z'), m: { k: 'v', 'clé': 'välue' }, raw: Buffer.from('x'.repeat(300)) },
  { s: 'ascii then é after 40 chars ...........', r: 'teleport', b: false, n: 1, t: 0, m: { 'ü': 'x'.repeat(127) }, raw: Buffer.from('é') },
  { s: `${'a'.repeat(126)}é`, r: 'okta', b: true, n: 3, t: 1, m: { k: `é${'b'.repeat(200)}` }, raw: Buffer.from('z') },
  { s: 'x'.repeat(200), r: 'entra', b: true, n: 127, t: Date.parse('1969-07-20T20:17:40.000Z'), m: { a: '', b: 'y'.repeat(130) }, raw: Buffer.alloc(0) },
];

const columns = [
  stringColumn<Row>('s', (r) => r.s),
  repeatedStringColumn<Row>('r', (r) => r.r),
  boolColumn<Row>('b', (r) => r.b),
  uint64Column<Row>('n', (r) => r.n),
  time64Column<Row>('t', (r) => r.t),
  stringMapColumn<Row>('m', (r) => r.m),
  bytesColumn<Row>('raw', (r) => r.raw),
];

describe('Native encoder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'native-test-'));
  const conn = createChdbConnection({ path: ':memory:' });
  afterAll(async () => {
    await conn.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a block the engine reads back value for value', async () => {
    const file = join(dir, 'rows.native');
    writeFileSync(file, encodeNative(rows, columns));
    const res = await conn.chdb.queryAsync(
      `SELECT s, r, b, toString(n) AS n, toUnixTimestamp64Milli(t) AS t, m, raw FROM file('${file}', Native)`, { format: 'JSONEachRow' });
    const got = res.text().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(got).toHaveLength(rows.length);
    got.forEach((g, i) => {
      const r = rows[i] as Row;
      expect(g.s).toBe(r.s);
      expect(g.r).toBe(r.r);
      expect(g.b).toBe(r.b);
      expect(g.n).toBe(String(r.n));
      expect(Number(g.t)).toBe(r.t);
      expect(g.m).toEqual(r.m);
      expect(g.raw).toBe(r.raw.toString('utf8'));
    });
  });

  it('converts announced String columns into LowCardinality and Map key types on insert', async () => {
    const file = join(dir, 'lc.native');
    writeFileSync(file, encodeNative(rows, [repeatedStringColumn<Row>('r', (r) => r.r), stringMapColumn<Row>('m', (r) => r.m)]));
    await conn.chdb.queryAsync('CREATE TABLE lc (r LowCardinality(String), m Map(LowCardinality(String), String)) ENGINE = Memory');
    await conn.chdb.queryAsync(`INSERT INTO lc (r, m) FROM INFILE '${file}' FORMAT Native`);
    const res = await conn.chdb.queryAsync('SELECT r, m FROM lc', { format: 'JSONEachRow' });
    expect(res.text().trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual(rows.map((r) => ({ r: r.r, m: r.m })));
  });

  it('a reused builder writes every block whole: rows past its pending batch, and a second block after the first', async () => {
    // 600 and 300 rows: both end inside a pending batch of the builder's; the second block reuses the column
    // buffers, the repeated-value caches and the map keys seen by the first.
    const many = (n: number, salt: string): Row[] => Array.from({ length: n }, (_, i) => ({
      ...(rows[i % rows.length] as Row), s: `${salt}${String(i)}`, n: i,
      m: i % 3 === 0 ? {} : { k: `${salt}${String(i)}`, [`key${String(i % 4)}`]: 'v' } as Record<string, string>,
    }));
    const builder = new NativeBlockBuilder(columns);
    for (const [n, salt] of [[600, 'a'], [300, 'b']] as const) {
      const block = many(n, salt);
      for (const r of block) builder.add(r);
      expect(builder.rows).toBe(n);
      const { body } = builder.finish();
      expect(builder.rows).toBe(0);
      expect(body.equals(encodeNative(block, columns))).toBe(true);
      const file = join(dir, `block-${salt}.native`);
      writeFileSync(file, body);
      const res = await conn.chdb.queryAsync(`SELECT s, toString(n) AS n, m FROM file('${file}', Native)`, { format: 'JSONEachRow' });
      const got = res.text().trim().split('\n').map((l) => JSON.parse(l) as { s: string; n: string; m: Record<string, string> });
      expect(got).toEqual(block.map((r) => ({ s: r.s, n: String(r.n), m: r.m })));
    }
  });

  it('reuses a released body buffer for the next large body', () => {
    const a = new NativeWriter(2 << 20);
    a.string('first');
    const body = a.finish();
    releaseBodies([body]);
    const b = new NativeWriter(2 << 20);
    b.string('second');
    expect(b.finish().buffer).toBe(body.buffer);
  });
});

describe('isoToMs', () => {
  it('equals Date.parse for canonical and other instants', () => {
    for (const s of ['2025-03-11T09:00:05.123Z', '2024-02-29T23:59:59.999Z', '2000-01-01T00:00:00.000Z', '2025-03-11T09:00:05Z', '2025-03-11T09:00:05.123+02:00', 'garbage', '2025-1a-11T09:00:05.123Z', '2025-03-11T09:00:0-.123Z', '2025-13-11T09:00:05.123Z']) {
      expect(Number.isNaN(isoToMs(s)) ? 'NaN' : isoToMs(s), s).toBe(Number.isNaN(Date.parse(s)) ? 'NaN' : Date.parse(s));
    }
  });
});
