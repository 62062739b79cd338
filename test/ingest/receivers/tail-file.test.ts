import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { normalizerFor } from '../../../ingest/normalizers/index.ts';
import type { Normalizer } from '../../../ingest/normalizers/normalizer.ts';
import { createTrackedAssembly } from '../../../ingest/receivers/line-assembly.ts';
import { candidateAt, endOfLastLine, readLines, type TailedFile } from '../../../ingest/receivers/tail-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'accessproof-tail-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function tailed(name: string, content: string | Buffer): Promise<TailedFile> {
  const path = join(dir, name);
  writeFileSync(path, content);
  const c = await candidateAt(path);
  if (!c) throw new Error('no file');
  return {
    key: c.key, dev: c.dev, ino: c.ino, label: path, path, handle: await open(path, 'r'), role: 'live', offset: 0, line: 0, fp: '', fp_len: 0,
    skipping: false, last_growth_ms: 0, seen_size: c.size, assembly: createTrackedAssembly(normalizerFor('sshd') as Normalizer, { idle_ms: 1 }),
  };
}

describe('readLines', () => {
  it('returns complete lines with offsets and numbers, strips CR, leaves a partial last line unread', async () => {
    const f = await tailed('a.log', 'one\r\ntwo\n\nthr');
    const items = await readLines(f, 13, 1 << 20, 1024, false);
    expect(items.map((i) => [i.text, i.start, i.no])).toEqual([['one', 0, 1], ['two', 5, 2], ['', 9, 3]]);
    expect(f.offset).toBe(10);
    expect(await readLines(f, 13, 1 << 20, 1024, false)).toEqual([]);
    const last = await readLines(f, 13, 1 << 20, 1024, true);
    expect(last.map((i) => [i.text, i.start, i.no])).toEqual([['thr', 10, 4]]);
    expect(f.offset).toBe(13);
    await f.handle.close();
  });

  it('splits only at LF bytes, so multi-byte UTF-8 survives any chunk size', async () => {
    const text = 'caf\u00e9 \u2713\nna\u00efve\n';
    const f = await tailed('u.log', text);
    const size = Buffer.byteLength(text);
    const out: string[] = [];
    while (f.offset < size) for (const i of await readLines(f, size, 3, 1024, false)) out.push(i.text);
    expect(out).toEqual(['caf\u00e9 \u2713', 'na\u00efve']);
    await f.handle.close();
  });

  it('flags an over-long line, keeps its first bytes, and skips the rest of it across reads', async () => {
    const long = 'x'.repeat(5000);
    const f = await tailed('long.log', `${long}\nafter\n`);
    const size = 5000 + 7;
    const first = await readLines(f, size, 2000, 1024, false);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ too_long: true, no: 1, start: 0 });
    expect(first[0]?.text.length).toBeLessThanOrEqual(4096);
    const rest: string[] = [];
    while (f.offset < size) for (const i of await readLines(f, size, 2000, 1024, false)) rest.push(i.text);
    expect(rest).toEqual(['after']);
    expect(f.line).toBe(2);
    await f.handle.close();
  });
});

describe('endOfLastLine', () => {
  it('finds where the last complete line ends and how many lines come before it', async () => {
    const f = await tailed('e.log', 'a\nbb\ncc');
    expect(await endOfLastLine(f.handle, 7)).toEqual({ offset: 5, line: 2 });
    expect(await endOfLastLine(f.handle, 0)).toEqual({ offset: 0, line: 0 });
    await f.handle.close();
  });
});
