import { createHash } from 'node:crypto';
import { Manifest, MANIFEST_FORMAT, UNLISTED_FILES, evidenceDigest, type ManifestFile } from './manifest.ts';
import { createCsvRecordCounter } from './csv.ts';
import { fingerprintOfPem, verifySignature } from './signing.ts';
import { forEachZipEntry } from './zip.ts';

// Offline verification of a pack: needs the zip (and optionally the organisation's public key), no store and no
// network. Each check passes or fails on its own and names the file it is about, so one changed byte, a missing
// or an added file, or a swapped signature or key is reported precisely.

/** One check's outcome. */
export interface VerifyCheck {
  readonly check: string;
  readonly file: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** The verification report. */
export interface VerifyReport {
  readonly ok: boolean;
  readonly pack_id: string | null;
  readonly checks: readonly VerifyCheck[];
}

interface Seen { size: number; sha256: string; csvRows?: number; rawLines?: { total: number; bad: number }; bytes?: Buffer }

const KEEP = new Set<string>(['manifest.json', 'manifest.sig', 'public-key.pem']);
const MAX_KEEP = 64 * 1024 * 1024;

async function readEntries(path: string): Promise<Map<string, Seen>> {
  const seen = new Map<string, Seen>();
  const dupes: string[] = [];
  await forEachZipEntry(path, async (name, open) => {
    if (seen.has(name)) dupes.push(name);
    const hash = createHash('sha256');
    let size = 0;
    const kept: Buffer[] = [];
    const csv = name.endsWith('.csv') ? createCsvRecordCounter() : undefined;
    const jsonl = name.startsWith('samples/raw/') && name.endsWith('.jsonl');
    let tail = '';
    const raw = { total: 0, bad: 0 };
    const onLine = (line: string): void => {
      if (!line) return;
      raw.total++;
      try {
        const o = JSON.parse(line) as { raw?: unknown; raw_sha256?: unknown };
        if (typeof o.raw !== 'string' || createHash('sha256').update(o.raw).digest('hex') !== o.raw_sha256) raw.bad++;
      } catch { raw.bad++; }
    };
    for await (const chunk of await open()) {
      const b = chunk as Buffer;
      hash.update(b);
      size += b.length;
      csv?.push(b);
      if (KEEP.has(name) && size <= MAX_KEEP) kept.push(b);
      if (jsonl) {
        const lines = (tail + b.toString('utf8')).split('\n');
        tail = lines.pop() ?? '';
        lines.forEach(onLine);
      }
    }
    if (jsonl) onLine(tail);
    seen.set(name, { size, sha256: hash.digest('hex'), csvRows: csv?.finish(), rawLines: jsonl ? raw : undefined, bytes: KEEP.has(name) ? Buffer.concat(kept) : undefined });
  });
  if (dupes.length) throw new Error(`duplicate entries in zip: ${dupes.join(', ')}`);
  return seen;
}

/** Verifies a pack zip. `trustedKeyPem` is the organisation's public key; without it the pack's own key is used. */
export async function verifyPack(zipPath: string, trustedKeyPem?: string): Promise<VerifyReport> {
  const checks: VerifyCheck[] = [];
  const add = (check: string, file: string, ok: boolean, detail: string): void => { checks.push({ check, file, ok, detail }); };
  let seen: Map<string, Seen>;
  try {
    seen = await readEntries(zipPath);
  } catch (e) {
    add('zip', zipPath, false, `cannot read the archive: ${(e as Error).message}`);
    return { ok: false, pack_id: null, checks };
  }
  add('zip', zipPath, true, `${seen.size} entries read`);
  const manifestBytes = seen.get('manifest.json')?.bytes;
  if (!manifestBytes) {
    add('manifest', 'manifest.json', false, 'missing');
    return { ok: false, pack_id: null, checks };
  }
  const sig = seen.get('manifest.sig')?.bytes;
  const packKey = seen.get('public-key.pem')?.bytes?.toString('utf8');
  const keyPem = trustedKeyPem ?? packKey;
  if (!sig) add('signature', 'manifest.sig', false, 'missing');
  else if (!keyPem) add('signature', 'manifest.sig', false, 'no public key (public-key.pem missing and --public-key not given)');
  else {
    const v = verifySignature(keyPem, manifestBytes, sig.toString('utf8'));
    // A malformed signature is manifest.sig's fault; a well-formed one that does not verify means either file changed.
    const malformed = v.error !== undefined && /signature/.test(v.error);
    add('signature', v.ok || malformed ? 'manifest.sig' : 'manifest.json / manifest.sig', v.ok, v.ok
      ? `Ed25519 signature of manifest.json is valid for ${trustedKeyPem ? 'the trusted key' : 'the key in public-key.pem (compare its fingerprint with the published one, or pass --public-key)'} ${v.fingerprint}`
      : `signature of manifest.json does not verify${v.error ? ` (${v.error})` : ''}: manifest.json or manifest.sig was changed, or another key signed it`);
  }
  let manifest: Manifest;
  try {
    manifest = Manifest.parse(JSON.parse(manifestBytes.toString('utf8')));
  } catch (e) {
    add('manifest', 'manifest.json', false, `not a valid ${MANIFEST_FORMAT} manifest: ${(e as Error).message.split('\n')[0]}`);
    return { ok: false, pack_id: null, checks };
  }
  add('manifest', 'manifest.json', true, `pack ${manifest.pack_id}, ${manifest.files.length} files listed`);
  if (trustedKeyPem && packKey !== undefined) {
    const trusted = fingerprintOfPem(trustedKeyPem);
    const same = trusted !== null && fingerprintOfPem(packKey) === trusted;
    add('public key', 'public-key.pem', same, same ? 'matches the trusted key' : 'differs from the trusted key given with --public-key');
  }
  const listed = new Map<string, ManifestFile>(manifest.files.map((f) => [f.path, f]));
  for (const f of manifest.files) {
    const s = seen.get(f.path);
    if (!s) { add('file set', f.path, false, 'listed in the manifest but missing from the pack'); continue; }
    const ok = s.size === f.size && s.sha256 === f.sha256;
    add('hash', f.path, ok, ok ? `sha256 ${f.sha256}` : `changed: manifest says ${f.size} bytes sha256 ${f.sha256}, file has ${s.size} bytes sha256 ${s.sha256}`);
  }
  for (const name of [...seen.keys()].sort()) {
    if (!listed.has(name) && !(UNLISTED_FILES as readonly string[]).includes(name)) add('file set', name, false, 'in the pack but not listed in the manifest (added after generation)');
  }
  const digest = evidenceDigest(manifest.files);
  add('evidence digest', 'manifest.json', digest === manifest.evidence_digest, digest === manifest.evidence_digest
    ? `${digest} (printed on the report cover)` : `recomputed ${digest}, manifest says ${manifest.evidence_digest}`);
  for (const [name, rows] of Object.entries(manifest.row_counts)) {
    const s = seen.get(name);
    if (s?.csvRows === undefined) continue;
    add('row count', name, s.csvRows === rows, `${s.csvRows} data rows, manifest says ${rows}`);
  }
  for (const [name, s] of [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!s.rawLines) continue;
    add('raw digests', name, s.rawLines.bad === 0, s.rawLines.bad === 0 ? `${s.rawLines.total} raw record(s), each matching its SHA-256` : `${s.rawLines.bad} of ${s.rawLines.total} raw record(s) do not match their raw_sha256`);
  }
  return { ok: checks.every((c) => c.ok), pack_id: manifest.pack_id, checks };
}

/** Human-readable report: one line per check, then the verdict. */
export function formatVerifyReport(r: VerifyReport): string {
  const lines = r.checks.map((c) => `${c.ok ? 'PASS' : 'FAIL'}  ${c.check.padEnd(15)} ${c.file}: ${c.detail}`);
  const failed = r.checks.filter((c) => !c.ok);
  lines.push(failed.length === 0
    ? `VERIFIED: pack ${r.pack_id} is intact (${r.checks.length} checks passed)`
    : `NOT VERIFIED: ${failed.length} check(s) failed: ${[...new Set(failed.map((c) => c.file))].join(', ')}`);
  return `${lines.join('\n')}\n`;
}
