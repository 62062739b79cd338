import { parse } from 'csv-parse/sync';

/** One physical CSV line → its fields (trimmed); null when the line's quoting is broken. */
export function parseCsvLine(line: string): string[] | null {
  try {
    const out: unknown = parse(line, { relax_column_count: true, trim: true });
    const first: unknown = Array.isArray(out) ? out[0] : undefined;
    return Array.isArray(first) ? first.map(String) : [];
  } catch {
    return null;
  }
}
