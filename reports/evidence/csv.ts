import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';

// CSV for auditors' spreadsheets: RFC 4180 quoting, CRLF line ends, UTF-8 without BOM, and protection against
// formula injection (OWASP "CSV Injection"): a text cell that starts with = + - @ TAB or CR is prefixed with a
// single quote, so a spreadsheet shows it as text instead of running it. Numbers and booleans are never prefixed.
// The rule is recorded in the manifest (`csv_escaping`) so the original value can be restored: drop one leading
// quote from a cell whose second character is one of the trigger characters.

/** Characters that make a spreadsheet treat a cell as a formula. */
export const FORMULA_TRIGGERS = ['=', '+', '-', '@', '\t', '\r'] as const;

/** The escaping rule, as recorded in manifests. */
export const CSV_ESCAPING_RULE = "RFC 4180 quoting; text cells starting with = + - @ TAB or CR are prefixed with a single quote (')";

/** A cell value: text, number, boolean, or empty. Arrays are joined with a space. */
export type CsvValue = string | number | boolean | null | undefined | readonly string[];

/** Neutralizes a text value for spreadsheets (the formula-injection rule only, no quoting). */
export function neutralizeFormula(s: string): string {
  return s.length > 0 && (FORMULA_TRIGGERS as readonly string[]).includes(s[0] as string) ? `'${s}` : s;
}

/** One cell: formula-neutralized when it is text, then quoted when it holds a comma, quote, CR or LF. */
export function csvCell(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const text = neutralizeFormula(typeof v === 'string' ? v : v.join(' '));
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, CRLF-terminated. */
export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** What a finished CSV file amounts to (recorded in the manifest). */
export interface CsvFileSummary {
  readonly rows: number;
  readonly bytes: number;
  readonly sha256: string;
}

/** A streaming CSV file writer with a fixed header; honours backpressure and hashes what it writes. */
export interface CsvFileWriter {
  write(values: readonly CsvValue[]): Promise<void>;
  close(): Promise<CsvFileSummary>;
}

/** Writes `path` with `header` as the first record; `rows` excludes the header. */
export function createCsvFileWriter(path: string, header: readonly string[]): CsvFileWriter {
  const out: WriteStream = createWriteStream(path);
  const hash = createHash('sha256');
  let bytes = 0;
  let rows = 0;
  let failed: Error | undefined;
  out.on('error', (e) => { failed = e; });
  const put = (text: string): Promise<void> => {
    if (failed) return Promise.reject(failed);
    const buf = Buffer.from(text, 'utf8');
    hash.update(buf);
    bytes += buf.length;
    if (out.write(buf)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onDrain = (): void => { out.off('error', onError); resolve(); };
      const onError = (e: Error): void => { out.off('drain', onDrain); reject(e); };
      out.once('drain', onDrain);
      out.once('error', onError);
    });
  };
  let ready = put(csvLine(header));
  return {
    async write(values) {
      await ready;
      rows++;
      ready = put(csvLine(values));
      await ready;
    },
    async close() {
      await ready;
      await new Promise<void>((resolve, reject) => {
        if (failed) { reject(failed); return; }
        out.end((e?: Error | null) => (e ? reject(e) : resolve()));
      });
      return { rows, bytes, sha256: hash.digest('hex') };
    },
  };
}

/**
 * Counts the records of a CSV text stream (quoted fields may hold line breaks), excluding the header.
 * Used by `verify` to check the row counts a manifest claims.
 */
export function createCsvRecordCounter(): { push(chunk: Buffer): void; finish(): number } {
  let inQuotes = false;
  let records = 0;
  let pendingChars = false;
  return {
    push(chunk) {
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk[i];
        if (c === 0x22) inQuotes = !inQuotes;
        else if (c === 0x0a && !inQuotes) { records++; pendingChars = false; continue; }
        if (c !== 0x0d) pendingChars = true;
      }
    },
    finish() {
      const total = records + (pendingChars ? 1 : 0);
      return Math.max(0, total - 1);
    },
  };
}
