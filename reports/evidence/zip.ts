import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import yazl from 'yazl';

// Deterministic zip: entries in the given order, each with the same fixed timestamp and mode, deflated by zlib.
// yazl derives the MS-DOS date fields from Date's local-time getters, so the timestamp is passed as a Date whose
// local getters answer in UTC: the archive is byte-identical in every time zone.

/** A Date whose local-time getters report UTC (only what yazl reads). */
class UtcDate extends Date {
  override getFullYear(): number { return this.getUTCFullYear(); }
  override getMonth(): number { return this.getUTCMonth(); }
  override getDate(): number { return this.getUTCDate(); }
  override getHours(): number { return this.getUTCHours(); }
  override getMinutes(): number { return this.getUTCMinutes(); }
  override getSeconds(): number { return this.getUTCSeconds(); }
}

/** One zip entry: a staged file and its name inside the archive. */
export interface ZipEntry {
  readonly source: string;
  readonly name: string;
}

/** Writes `entries` to `out` in order with the fixed timestamp `mtimeIso`. */
export async function writeDeterministicZip(out: string, entries: readonly ZipEntry[], mtimeIso: string): Promise<void> {
  const zip = new yazl.ZipFile();
  const mtime = new UtcDate(Date.parse(mtimeIso));
  for (const e of entries) zip.addFile(e.source, e.name, { mtime, mode: 0o100644, compress: true });
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(out));
}

/** Opens a zip for entry-by-entry reading (validates entry names: no absolute paths, no `..`). */
export function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true, strictFileNames: true, validateEntrySizes: true }, (err, zip) => (err || !zip ? reject(err ?? new Error('cannot open zip')) : resolve(zip)));
  });
}

/** Calls `onEntry` for each entry with a readable stream of its content (directories skipped). */
export async function forEachZipEntry(path: string, onEntry: (name: string, read: () => Promise<NodeJS.ReadableStream>) => Promise<void>): Promise<void> {
  const zip = await openZip(path);
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (e: unknown): void => { if (!failed) { failed = true; zip.close(); reject(e); } };
    zip.on('error', fail);
    zip.on('end', () => { if (!failed) resolve(); });
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName.endsWith('/')) { zip.readEntry(); return; }
      const read = (): Promise<NodeJS.ReadableStream> => new Promise((res, rej) => zip.openReadStream(entry, (e, s) => (e || !s ? rej(e ?? new Error('no stream')) : res(s))));
      onEntry(entry.fileName, read).then(() => zip.readEntry(), fail);
    });
    zip.readEntry();
  });
}
