import { describe, expect, it } from 'vitest';
import { parseOffboardingCsv } from '../../../ingest/inventory/hr.ts';

describe('HR / offboarding CSV', () => {
  it('reads person,time[,reason] with an optional header in any column order', () => {
    const r = parseOffboardingCsv('time,person,reason\n2025-03-11T14:00:00Z,Frank@Example.com,leaver\n2025-03-12,judy@example.com,"role change, sales"\n', 'hr.csv');
    expect(r.rejects).toEqual([]);
    expect(r.rows.map((x) => [x.person, x.offboarded_at, x.reason, x.input_ref])).toEqual([
      ['frank@example.com', '2025-03-11T14:00:00.000Z', 'leaver', 'hr.csv:2'],
      ['judy@example.com', '2025-03-12T00:00:00.000Z', 'role change, sales', 'hr.csv:3'],
    ]);
    expect(r.rows[0]?.row_sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts headerless files and rejects bad lines with a reason instead of guessing', () => {
    const r = parseOffboardingCsv('bob@example.com,2025-03-11T09:00:00+01:00\n,2025-03-11T09:00:00Z\ncarol@example.com,11/03/2025\ndave@example.com,2025-03-11T09:00:00\n"broken,2025\n', 'x.csv');
    expect(r.rows.map((x) => [x.person, x.offboarded_at, x.reason])).toEqual([['bob@example.com', '2025-03-11T08:00:00.000Z', '']]);
    expect(r.rejects.map((x) => [x.line, x.reason])).toEqual([[2, 'missing_field'], [3, 'invalid_time'], [4, 'invalid_time'], [5, 'invalid_csv']]);
  });

  it('gives the same row hash for the same row (idempotent re-import)', () => {
    const a = parseOffboardingCsv('x@example.com,2025-03-11T09:00:00Z,r', 'a.csv').rows[0];
    const b = parseOffboardingCsv('person,time,reason\nX@example.com,2025-03-11T09:00:00.000Z,r', 'b.csv').rows[0];
    expect(a?.row_sha256).toBe(b?.row_sha256);
  });
});
