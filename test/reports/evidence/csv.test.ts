import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCsvFileWriter, createCsvRecordCounter, csvCell, csvLine, neutralizeFormula } from '../../../reports/evidence/csv.ts';

// A minimal RFC 4180 reader, to check that what the writer produces reads back as the (neutralized) values.
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (q) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') q = false; else cell += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; } else cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

// OWASP CSV-injection payloads (formula triggers at the start of a cell).
const PAYLOADS = [
  '=1+1', '=HYPERLINK("http://evil.example","x")', '+1+1', '-1+1', '@SUM(1+1)', '\t=1+1', '\r=1+1', '=cmd|\' /C calc\'!A0',
  '-2+3+cmd|\' /C calc\'!E2', '@A1', '=DDE("cmd";"/C calc";"!A0")',
];

describe('csv cells', () => {
  it('prefixes every formula trigger with a single quote and keeps the rest of the value', () => {
    for (const p of PAYLOADS) {
      const cell = csvCell(p);
      const [[back]] = parseCsv(`${cell}\r\n`) as [[string]];
      expect(back).toBe(`'${p}`);
    }
  });

  it('leaves safe text, numbers and booleans alone (negative numbers stay numbers)', () => {
    expect(csvCell('alice@example.com')).toBe('alice@example.com');
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(3.25)).toBe('3.25');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(['a', 'b'])).toBe('a b');
    expect(csvCell('x=1')).toBe('x=1');
  });

  it('quotes commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line1\nline2')).toBe('"line1\nline2"');
    expect(csvLine(['a', 1, false])).toBe('a,1,false\r\n');
  });

  it('10,000 random strings: every triggered cell is neutralized and every value reads back exactly', () => {
    const alphabet = ['=', '+', '-', '@', '\t', '\r', '\n', ',', '"', 'a', 'Z', '1', ' ', 'é', '😀'];
    let triggered = 0;
    for (let n = 0; n < 10_000; n++) {
      const bytes = randomBytes(1 + (n % 12));
      const s = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
      const [[back]] = parseCsv(csvLine([s])) as [[string]];
      const expected = neutralizeFormula(s);
      expect(back).toBe(expected);
      if (expected !== s) { triggered++; expect(back.startsWith("'")).toBe(true); }
      expect(/^[=+\-@\t\r]/.test(back)).toBe(false);
    }
    expect(triggered).toBeGreaterThan(1000);
  });
});

describe('csv files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ap-csv-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('streams rows, reports rows/bytes/sha256 of exactly what is on disk, and the counter agrees', async () => {
    const path = join(dir, 'x.csv');
    const w = createCsvFileWriter(path, ['a', 'b']);
    for (let i = 0; i < 2500; i++) await w.write([`v${i}`, i % 7 === 0 ? 'multi\nline, "quoted"' : '=formula']);
    const s = await w.close();
    const bytes = readFileSync(path);
    expect(s.rows).toBe(2500);
    expect(s.bytes).toBe(bytes.length);
    expect(s.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    const counter = createCsvRecordCounter();
    for (let i = 0; i < bytes.length; i += 1000) counter.push(bytes.subarray(i, i + 1000));
    expect(counter.finish()).toBe(2500);
    const rows = parseCsv(bytes.toString('utf8'));
    expect(rows[0]).toEqual(['a', 'b']);
    expect(rows[1]).toEqual(['v0', 'multi\nline, "quoted"']);
    expect(rows[2]).toEqual(['v1', "'=formula"]);
  });
});
