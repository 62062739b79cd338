import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (the folder holding package.json). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The shared reference folder beside the repository (samples, corpus, formats); read-only. */
export const SHARED_DIR = process.env.ACCESSPROOF_SHARED_DIR ?? resolve(REPO_ROOT, '..', 'shared');

/** Path of a file under ../shared; throws with a clear message when the folder is missing. */
export function sharedPath(...parts: string[]): string {
  const p = join(SHARED_DIR, ...parts);
  if (!existsSync(p)) throw new Error(`shared reference file missing: ${p}`);
  return p;
}
