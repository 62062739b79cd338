import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { NormalizedFile } from './normalize-file.ts';

/** Non-blank lines of a file (the unit conformance tests count inputs by). */
export function nonBlankLines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
}

/** Lookups of a normalized run by input position (`<file>:<line>`). */
export interface NormalizedLookup {
  /** The single event produced by one input line (fails the test otherwise). */
  at(file: string, line: number): NormalizedFile['events'][number];
  /** The reject reason of a line, or ''. */
  rejectAt(file: string, line: number): string;
  /** The drop reason of a line, or ''. */
  dropAt(file: string, line: number): string;
}

/** Builds line lookups over a normalized run. */
export function lookupNormalized(out: () => NormalizedFile): NormalizedLookup {
  return {
    at(file, line) {
      const found = out().events.filter((e) => e.input_ref === `${file}:${line}`);
      expect(found, `${file}:${line}`).toHaveLength(1);
      return found[0] as NormalizedFile['events'][number];
    },
    rejectAt: (file, line) => out().rejects.find((r) => r.input_ref === `${file}:${line}`)?.reason ?? '',
    dropAt: (file, line) => out().drops.find((d) => d.input_ref === `${file}:${line}`)?.reason ?? '',
  };
}

/**
 * Conformance: every non-blank input line ended as events, a reject or a drop (each with a snake_case reason), and
 * no record hit a normalizer bug (normalizer_error / invalid_event).
 */
export function expectEveryLineAccountedFor(out: NormalizedFile, files: readonly string[]): void {
  for (const file of files) {
    const count = readFileSync(file, 'utf8').split('\n').length;
    const text = readFileSync(file, 'utf8').split('\n');
    for (let line = 1; line <= count; line++) {
      if ((text[line - 1] ?? '').trim() === '') continue;
      const ref = `${file}:${line}`;
      const mine = (x: { input_ref: string }): boolean => x.input_ref === ref || x.input_ref.startsWith(`${ref}#`);
      expect(out.events.some(mine) || out.rejects.some(mine) || out.drops.some(mine), ref).toBe(true);
    }
  }
  for (const r of [...out.rejects, ...out.drops]) expect(r.reason).toMatch(/^[a-z0-9_]+$/);
  expect(out.rejects.filter((r) => r.reason === 'normalizer_error' || r.reason === 'invalid_event')).toEqual([]);
}
