import { z } from 'zod';
import { sha256Hex } from './canonical-json.ts';

// manifest.json: what the pack holds and how it was made. It lists every file of the pack (path, size, SHA-256)
// except itself and manifest.sig; manifest.sig is the Ed25519 signature of its exact bytes.
//
// The evidence digest ties report.pdf to the data: it is the SHA-256 of the lines "<sha256>  <size>  <path>\n"
// (sorted by path) of every listed file except report.pdf and oscal/assessment-results.json, which are rendered
// after it and print it (the report cannot contain the hash of a manifest that lists the report itself).

/** Manifest format identifier. */
export const MANIFEST_FORMAT = 'accessproof-evidence-pack/1';
/** Files outside the manifest's file list. */
export const UNLISTED_FILES = ['manifest.json', 'manifest.sig'] as const;
/** Listed files rendered after the evidence digest (so not covered by it). */
export const RENDERED_FILES = ['report.pdf', 'oscal/assessment-results.json'] as const;

/** One file of the pack. */
export const ManifestFile = z.object({ path: z.string().min(1), size: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict();
export type ManifestFile = z.infer<typeof ManifestFile>;

const ResultEntry = z.object({
  control_id: z.string(),
  test_id: z.string(),
  population: z.number().int(),
  covered: z.number().int(),
  exceptions: z.number().int(),
  coverage_pct: z.number().nullable(),
  sample_size: z.number().int(),
}).strict();

/** The manifest (validated by verify before any other check uses it). */
export const Manifest = z.object({
  format: z.literal(MANIFEST_FORMAT),
  pack_id: z.string().uuid(),
  tool: z.object({ name: z.string(), version: z.string() }).strict(),
  catalog: z.object({ version: z.string(), sha256: z.string() }).strict(),
  organisation: z.string(),
  framework: z.object({ id: z.string(), name: z.string(), version: z.string() }).strict(),
  controls: z.array(z.object({ id: z.string(), title: z.string(), tests: z.array(z.string()) }).strict()),
  period: z.object({ from: z.string(), to: z.string(), semantics: z.string() }).strict(),
  generated_at: z.string(),
  sampling: z.object({
    seed: z.string(),
    method: z.string(),
    size_override: z.number().int().nullable(),
    table: z.array(z.object({ population: z.string(), frequency: z.string(), guidance: z.string(), size: z.number().int() }).strict()),
  }).strict(),
  data_watermark: z.record(z.string(), z.string().nullable()),
  row_counts: z.record(z.string(), z.number().int().nonnegative()),
  results: z.array(ResultEntry),
  csv_escaping: z.string(),
  signing: z.object({ algorithm: z.literal('Ed25519'), public_key_sha256: z.string(), public_key_file: z.string(), signature_file: z.string() }).strict(),
  evidence_digest: z.string().regex(/^[0-9a-f]{64}$/),
  evidence_digest_excludes: z.array(z.string()),
  files: z.array(ManifestFile),
}).strict();
export type Manifest = z.infer<typeof Manifest>;

/** The evidence digest over the data files (every listed file but the rendered ones), sorted by path. */
export function evidenceDigest(files: readonly ManifestFile[]): string {
  const lines = sortFiles(files.filter((f) => !(RENDERED_FILES as readonly string[]).includes(f.path)))
    .map((f) => `${f.sha256}  ${f.size}  ${f.path}\n`);
  return sha256Hex(lines.join(''));
}

/** Sorts files by path (byte order) — the order used in manifests and zips. */
export function sortFiles<T extends { path: string }>(files: readonly T[]): T[] {
  return [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
