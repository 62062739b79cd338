import type { CsvValue } from './csv.ts';
import type { Disposition, TestId } from './control-tests.ts';

// What the collection pass produces per (control, test): counts, the sample, and the exceptions (a bounded preview
// for the PDF; the complete list goes to exceptions.csv).

/** Header of exceptions.csv. */
export const EXCEPTION_HEADER = [
  'control_id', 'test_id', 'item_type', 'item_id', 'time', 'person', 'identity', 'resource', 'surface', 'mfa_binding', 'mfa_method',
  'disposition', 'exemption_id', 'exemption_approver', 'exemption_expires_at', 'exemption_reason', 'finding_ids', 'finding_kinds', 'detail',
] as const;

/** One exception row. */
export interface ExceptionRow {
  readonly control_id: string;
  readonly test_id: TestId;
  readonly item_type: 'session' | 'finding' | 'revocation';
  readonly item_id: string;
  readonly time: string;
  readonly person: string;
  readonly identity: string;
  readonly resource: string;
  readonly surface: string;
  readonly mfa_binding: string;
  readonly mfa_method: string;
  readonly disposition: Disposition;
  readonly exemption_id: string;
  readonly exemption_approver: string;
  readonly exemption_expires_at: string;
  readonly exemption_reason: string;
  readonly finding_ids: readonly string[];
  readonly finding_kinds: readonly string[];
  readonly detail: string;
}

/** The CSV cells of an exception row, in header order. */
export function exceptionCells(e: ExceptionRow): CsvValue[] {
  return EXCEPTION_HEADER.map((k) => e[k]);
}

/** Header of sample.csv. */
export const SAMPLE_HEADER = [
  'control_id', 'test_id', 'sample_rank', 'item_type', 'item_id', 'selection_score', 'time', 'person', 'identity', 'resource', 'surface',
  'path', 'mfa_binding', 'mfa_method', 'phishing_resistant', 'result', 'disposition', 'evidence_event_ids', 'raw_file',
] as const;

/** One sampled item. */
export interface SampleRow {
  readonly control_id: string;
  readonly test_id: TestId;
  readonly sample_rank: number;
  readonly item_type: 'session' | 'revocation';
  readonly item_id: string;
  readonly selection_score: string;
  readonly time: string;
  readonly person: string;
  readonly identity: string;
  readonly resource: string;
  readonly surface: string;
  readonly path: string;
  readonly mfa_binding: string;
  readonly mfa_method: string;
  readonly phishing_resistant: boolean | null;
  readonly result: 'pass' | 'exception';
  readonly disposition: string;
  readonly evidence_event_ids: readonly string[];
  readonly raw_file: string;
}

/** The CSV cells of a sample row, in header order. */
export function sampleCells(s: SampleRow): CsvValue[] {
  return SAMPLE_HEADER.map((k) => s[k]);
}

/** Result of one test for one control. */
export interface TestResult {
  readonly control_id: string;
  readonly test_id: TestId;
  readonly population: number;
  readonly covered: number;
  /** Population items that failed the test. */
  readonly failed: number;
  /** Extra exceptions that are not population items (findings without a session, post-revocation access). */
  readonly extra_exceptions: number;
  /** failed + extra_exceptions: the rows of exceptions.csv for this control and test. */
  readonly exceptions: number;
  /** covered / population × 100, rounded to 2 decimals; null for an empty population. */
  readonly coverage_pct: number | null;
  readonly sample_size: number;
  readonly sample: readonly SampleRow[];
  /** The first exceptions (the PDF prints these; exceptions.csv has all). */
  readonly exception_preview: readonly ExceptionRow[];
  /** Exceptions by disposition. */
  readonly dispositions: Readonly<Record<string, number>>;
}

/** Rounds a share to a percentage with two decimals (null when the denominator is 0). */
export function pct(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 10000) / 100 : null;
}
