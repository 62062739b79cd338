import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readRecords, type FramedItem } from '../../../ingest/files/read-records.ts';
import type { Normalizer } from '../../../ingest/normalizers/normalizer.ts';
import { ok } from '../../../ingest/normalizers/step-result.ts';

const jsonNormalizer: Normalizer = { source: 'okta', format: 'json', normalize: () => ok([]) };
const textNormalizer: Normalizer = { source: 'sshd', format: 'text', normalize: () => ok([]) };

async function collect(paths: string[], n: Normalizer): Promise<FramedItem[]> {
  const out: FramedItem[] = [];
  for await (const item of readRecords(paths, n)) out.push(item);
  return out;
}

describe('readRecords framing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ap-frame-'));

  it('reads JSON lines with line refs, unwraps arrays on a line, rejects invalid lines', async () => {
    const f = join(dir, 'a.jsonl');
    writeFileSync(f, '{"a":1}\n\n{"a":\n[{"b":1},{"b":2}]\n');
    const items = await collect([f], jsonNormalizer);
    expect(items.map((i) => [i.kind, i.input_ref])).toEqual([
      ['record', `${f}:1`], ['reject', `${f}:3`], ['record', `${f}:4#0`], ['record', `${f}:4#1`],
    ]);
    expect(items[1]?.kind === 'reject' && items[1].reason).toBe('invalid_json');
  });

  it('streams a pretty-printed JSON array and a Records envelope document', async () => {
    const arr = join(dir, 'b.json');
    writeFileSync(arr, JSON.stringify([{ x: 1 }, { x: 2 }, { x: 3 }], null, 2));
    const env = join(dir, 'c.json');
    writeFileSync(env, JSON.stringify({ Records: [{ eventID: 'e1' }, { eventID: 'e2' }] }, null, 2));
    const items = await collect([arr, env], jsonNormalizer);
    expect(items.map((i) => i.input_ref)).toEqual([`${arr}#0`, `${arr}#1`, `${arr}#2`, `${env}#0`, `${env}#1`]);
    expect(items[3]?.kind === 'record' && items[3].payload).toEqual({ eventID: 'e1' });
  });

  it('walks directories recursively in sorted order, gunzips .gz, and rejects a corrupt .gz without losing the rest', async () => {
    const root = join(dir, 'AWSLogs', '111122223333', 'CloudTrail', 'us-east-1', '2025', '03', '11');
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, '1.json.gz'), gzipSync(JSON.stringify({ Records: [{ eventID: 'g1' }] })));
    writeFileSync(join(root, '2.json.gz'), Buffer.from('this is not gzip at all'));
    writeFileSync(join(root, '3.json.gz'), gzipSync(JSON.stringify({ Records: [{ eventID: 'g3' }] })));
    const items = await collect([join(dir, 'AWSLogs')], jsonNormalizer);
    expect(items.map((i) => i.kind)).toEqual(['record', 'reject', 'record']);
    expect(items[1]?.kind === 'reject' && items[1].reason).toBe('corrupt_gzip');
  });

  it('frames text sources line by line and strips a BOM', async () => {
    const f = join(dir, 'auth.log');
    writeFileSync(f, '\uFEFFline one\nline two\n');
    const items = await collect([f], textNormalizer);
    expect(items.map((i) => (i.kind === 'record' ? i.raw : ''))).toEqual(['line one', 'line two']);
  });
});
