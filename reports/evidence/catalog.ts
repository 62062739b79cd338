import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { UsageError } from '../../core/errors.ts';
import { TEST_IDS } from './control-tests.ts';

// The control catalog is data (catalog/<framework>.json), versioned with the code: CATALOG_VERSION changes when
// a control's wording, mapping or tests change, and every pack records it together with the catalog's digest.

/** Version of the control catalog shipped with this build (recorded in every manifest). */
export const CATALOG_VERSION = '2025.1';

const CATALOG_DIR = join(dirname(fileURLToPath(import.meta.url)), 'catalog');

/** Frameworks in catalog order (file name = framework id). */
export const FRAMEWORK_IDS = ['soc2', 'pci-dss', 'nist-800-53', 'iso-27001', 'cis-v8', 'hipaa'] as const;
export const FrameworkId = z.enum(FRAMEWORK_IDS);
export type FrameworkId = z.infer<typeof FrameworkId>;

// OSCAL TokenDatatype: starts with a letter or underscore, then letters, digits, `.`, `-`, `_`.
const OSCAL_TOKEN = /^[A-Za-z_][A-Za-z0-9._-]*$/;

/** One control as the catalog states it: our own summary of the requirement and how accessproof tests it. */
export const Control = z.object({
  id: z.string().min(1),
  oscal_id: z.string().regex(OSCAL_TOKEN),
  title: z.string().min(1),
  requirement: z.string().min(20),
  test_procedure: z.string().min(20),
  tests: z.array(z.enum(TEST_IDS)).min(1),
}).strict();
export type Control = z.infer<typeof Control>;

/** A framework file: its name/version and its controls. */
export const FrameworkCatalog = z.object({
  framework: z.object({ id: FrameworkId, name: z.string().min(1), version: z.string().min(1) }).strict(),
  controls: z.array(Control).min(1),
}).strict();
export type FrameworkCatalog = z.infer<typeof FrameworkCatalog>;

/** A control with the framework it belongs to. */
export interface CatalogControl extends Control {
  readonly framework: FrameworkId;
}

let cache: { frameworks: FrameworkCatalog[]; digest: string } | undefined;

/** Loads and validates every framework file once; the digest covers the exact bytes of all files. */
export function loadCatalog(): { frameworks: readonly FrameworkCatalog[]; digest: string } {
  if (cache) return cache;
  const hash = createHash('sha256');
  const frameworks = FRAMEWORK_IDS.map((id) => {
    const text = readFileSync(join(CATALOG_DIR, `${id}.json`), 'utf8');
    hash.update(`${id}.json\n`).update(text);
    const parsed = FrameworkCatalog.parse(JSON.parse(text));
    if (parsed.framework.id !== id) throw new Error(`catalog/${id}.json declares framework ${parsed.framework.id}`);
    const ids = new Set<string>();
    for (const c of parsed.controls) {
      if (ids.has(c.id)) throw new Error(`catalog/${id}.json: duplicate control ${c.id}`);
      ids.add(c.id);
    }
    return parsed;
  });
  cache = { frameworks, digest: hash.digest('hex') };
  return cache;
}

/** The framework entry for an id given by a user; a UsageError lists the valid ids. */
export function frameworkOf(id: string): FrameworkCatalog {
  const f = loadCatalog().frameworks.find((x) => x.framework.id === id);
  if (!f) throw new UsageError(`unknown framework "${id}" (known: ${FRAMEWORK_IDS.join(', ')})`);
  return f;
}

/** Every control, optionally of one framework, in catalog order. */
export function listControls(framework?: string): CatalogControl[] {
  const frameworks = framework ? [frameworkOf(framework)] : loadCatalog().frameworks;
  return frameworks.flatMap((f) => f.controls.map((c) => ({ ...c, framework: f.framework.id })));
}

/**
 * The controls of a pack: all of the framework's, or the requested ids in catalog order (ids match
 * case-insensitively). Unknown ids are a UsageError naming them.
 */
export function selectControls(framework: string, ids: readonly string[] = []): CatalogControl[] {
  const all = listControls(framework);
  if (ids.length === 0) return all;
  const wanted = new Set(ids.map((i) => i.trim().toLowerCase()));
  const unknown = [...wanted].filter((w) => !all.some((c) => c.id.toLowerCase() === w));
  if (unknown.length) throw new UsageError(`unknown control(s) for ${framework}: ${unknown.join(', ')} (known: ${all.map((c) => c.id).join(', ')})`);
  return all.filter((c) => wanted.has(c.id.toLowerCase()));
}
