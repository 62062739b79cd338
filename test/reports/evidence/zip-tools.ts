import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { forEachZipEntry } from '../../../reports/evidence/zip.ts';

/** Every entry of a zip, in archive order. */
export async function readZip(path: string): Promise<[string, Buffer][]> {
  const out: [string, Buffer][] = [];
  await forEachZipEntry(path, async (name, open) => {
    const chunks: Buffer[] = [];
    for await (const c of await open()) chunks.push(c as Buffer);
    out.push([name, Buffer.concat(chunks)]);
  });
  return out;
}

/** Writes entries to a new zip (used to tamper with packs the way an attacker would: a well-formed archive). */
export async function writeZip(path: string, entries: readonly [string, Buffer][]): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of entries) zip.addBuffer(data, name, { mtime: new Date(0), mode: 0o100644 });
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(path));
}
