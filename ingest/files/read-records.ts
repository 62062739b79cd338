import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { PassThrough, type Readable } from 'node:stream';
import { parser } from 'stream-json';
import { streamArray } from 'stream-json/streamers/stream-array.js';
import type { Normalizer } from '../normalizers/normalizer.ts';

/** One framed input unit: a record ready for the bus, or a reject with its reason. */
export type FramedItem =
  | { readonly kind: 'record'; readonly raw: string; readonly input_ref: string; readonly payload: unknown }
  | { readonly kind: 'reject'; readonly raw: string; readonly input_ref: string; readonly reason: string; readonly detail: string }
  /** Expected noise found while unwrapping (empty batches, non-audit envelopes): counted, never stored. */
  | { readonly kind: 'drop'; readonly input_ref: string; readonly reason: string };

/** Largest single multi-line JSON document read whole (`{"Records":[...]}` objects are far smaller). */
const MAX_DOCUMENT_BYTES = 256 * 1024 * 1024;

/** Expands files and directories (recursively, sorted for deterministic order) into file paths. */
export async function* listFiles(paths: readonly string[]): AsyncGenerator<string> {
  for (const p of paths) {
    const abs = resolve(p);
    const st = await stat(abs);
    if (st.isDirectory()) {
      const entries = (await readdir(abs)).sort();
      yield* listFiles(entries.filter((e) => !e.startsWith('.')).map((e) => join(abs, e)));
    } else if (st.isFile()) {
      yield abs;
    }
  }
}

/** Opens a file as a byte stream, transparently gunzipping `.gz` files (by name or magic bytes). */
function openBytes(file: string): Readable {
  const src = createReadStream(file);
  if (!file.endsWith('.gz')) return src;
  const gunzip = createGunzip();
  const out = new PassThrough();
  src.on('error', (e) => out.destroy(e));
  gunzip.on('error', (e) => out.destroy(e));
  return src.pipe(gunzip).pipe(out);
}

/** Reads the first non-blank line (for format sniffing) without consuming the main stream. */
async function firstLine(file: string): Promise<string> {
  const rl = createInterface({ input: openBytes(file), crlfDelay: Infinity });
  try {
    for await (const line of rl) if (line.trim() !== '') return line.trim();
    return '';
  } finally {
    rl.close();
  }
}

function isParseable(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Generic framing shared by every JSON source: a top-level array is a page of records and a
 * `{"Records":[...]}` object is a CloudTrail/S3 envelope. Source-specific envelopes are the
 * normalizer's `unwrap`.
 */
function* genericSplit(doc: unknown, raw: string, ref: string): Generator<{ value: unknown; raw: string; ref: string }> {
  if (Array.isArray(doc)) {
    for (let i = 0; i < doc.length; i++) yield { value: doc[i], raw: JSON.stringify(doc[i]), ref: `${ref}#${i}` };
    return;
  }
  if (doc !== null && typeof doc === 'object' && Array.isArray((doc as { Records?: unknown }).Records)) {
    const recs = (doc as { Records: unknown[] }).Records;
    for (let i = 0; i < recs.length; i++) yield { value: recs[i], raw: JSON.stringify(recs[i]), ref: `${ref}#${i}` };
    return;
  }
  yield { value: doc, raw, ref };
}

/** Applies generic framing then the normalizer's unwrap to one decoded document (files and webhooks share it). */
export function* frameDocument(doc: unknown, raw: string, ref: string, normalizer: Normalizer): Generator<FramedItem> {
  for (const piece of genericSplit(doc, raw, ref)) {
    if (!normalizer.unwrap) {
      yield { kind: 'record', raw: piece.raw, input_ref: piece.ref, payload: piece.value };
      continue;
    }
    const r = normalizer.unwrap(piece.value);
    switch (r.kind) {
      case 'ok': {
        const single = r.value.length === 1 && r.value[0] === piece.value;
        for (let i = 0; i < r.value.length; i++) {
          const v = r.value[i];
          yield single
            ? { kind: 'record', raw: piece.raw, input_ref: piece.ref, payload: v }
            : { kind: 'record', raw: JSON.stringify(v), input_ref: `${piece.ref}#${i}`, payload: v };
        }
        break;
      }
      case 'drop':
        yield { kind: 'drop', input_ref: piece.ref, reason: r.reason };
        break;
      case 'reject':
        yield { kind: 'reject', raw: piece.raw, input_ref: piece.ref, reason: r.reason, detail: r.detail };
        break;
      default: {
        const never: never = r;
        throw new Error(`unhandled step ${String(never)}`);
      }
    }
  }
}

async function* readJsonLines(file: string, label: string, normalizer: Normalizer): AsyncGenerator<FramedItem> {
  const rl = createInterface({ input: openBytes(file), crlfDelay: Infinity });
  let n = 0;
  for await (const line of rl) {
    n++;
    const text = n === 1 ? line.replace(/^\uFEFF/, '') : line;
    if (text.trim() === '') continue;
    const ref = `${label}:${n}`;
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      yield { kind: 'reject', raw: text, input_ref: ref, reason: 'invalid_json', detail: (e as Error).message };
      continue;
    }
    yield* frameDocument(doc, text, ref, normalizer);
  }
}

async function* readJsonArray(file: string, label: string, normalizer: Normalizer): AsyncGenerator<FramedItem> {
  const pipeline = openBytes(file).pipe(parser.asStream()).pipe(streamArray.asStream());
  for await (const item of pipeline as AsyncIterable<{ key: number; value: unknown }>) {
    yield* frameDocument(item.value, JSON.stringify(item.value), `${label}#${item.key}`, normalizer);
  }
}

async function* readJsonDocument(file: string, label: string, normalizer: Normalizer): AsyncGenerator<FramedItem> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of openBytes(file)) {
    size += (chunk as Buffer).length;
    if (size > MAX_DOCUMENT_BYTES) {
      yield { kind: 'reject', raw: '', input_ref: label, reason: 'document_too_large', detail: `over ${MAX_DOCUMENT_BYTES} bytes; use JSON lines` };
      return;
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, '');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    // NOTE: JSON lines whose first line is truncated look like one broken document; when any later
    // line parses on its own, frame line by line so one bad line does not reject the whole file.
    const lines = text.split(/\r?\n/);
    if (lines.slice(1).some((l) => l.trim() !== '' && isParseable(l))) {
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i];
        if (line.trim() === '') continue;
        const ref = `${label}:${i + 1}`;
        let lineDoc: unknown;
        try {
          lineDoc = JSON.parse(line);
        } catch (le) {
          yield { kind: 'reject', raw: line, input_ref: ref, reason: 'invalid_json', detail: (le as Error).message };
          continue;
        }
        yield* frameDocument(lineDoc, line, ref, normalizer);
      }
      return;
    }
    yield { kind: 'reject', raw: text.slice(0, 65536), input_ref: label, reason: 'invalid_json', detail: (e as Error).message };
    return;
  }
  yield* frameDocument(doc, text, label, normalizer);
}

async function* readTextLines(file: string, label: string, normalizer: Normalizer): AsyncGenerator<FramedItem> {
  const rl = createInterface({ input: openBytes(file), crlfDelay: Infinity });
  const assembler = normalizer.createAssembler?.();
  let n = 0;
  for await (const line of rl) {
    n++;
    const text = n === 1 ? line.replace(/^\uFEFF/, '') : line;
    if (text.trim() === '') continue;
    const ref = `${label}:${n}`;
    if (!assembler) {
      yield { kind: 'record', raw: text, input_ref: ref, payload: text };
      continue;
    }
    for (const rec of assembler.push(text, ref)) yield { kind: 'record', raw: rec.raw, input_ref: rec.input_ref, payload: rec.raw };
  }
  if (assembler) for (const rec of assembler.flush()) yield { kind: 'record', raw: rec.raw, input_ref: rec.input_ref, payload: rec.raw };
}

/** Frames one file according to its content: JSON lines, a JSON array, one JSON document, or text lines. */
export async function* readFileRecords(file: string, normalizer: Normalizer, label = file): AsyncGenerator<FramedItem> {
  try {
    if (normalizer.format === 'text') {
      yield* readTextLines(file, label, normalizer);
      return;
    }
    const head = await firstLine(file);
    if (head === '') return;
    if (isParseable(head.replace(/^\uFEFF/, '')) || !(head.startsWith('[') || head.startsWith('{'))) {
      yield* readJsonLines(file, label, normalizer);
    } else if (head.replace(/^\uFEFF/, '').startsWith('[')) {
      yield* readJsonArray(file, label, normalizer);
    } else {
      yield* readJsonDocument(file, label, normalizer);
    }
  } catch (e) {
    // A corrupt .gz or an unreadable file: the rest of the input still imports.
    const err = e as NodeJS.ErrnoException;
    const reason = err.code === 'Z_DATA_ERROR' || err.code === 'Z_BUF_ERROR' || /incorrect header|unexpected end of file/i.test(err.message)
      ? 'corrupt_gzip' : 'unreadable_input';
    yield { kind: 'reject', raw: '', input_ref: label, reason, detail: err.message };
  }
}

/** Frames every file under the given paths, in sorted order. */
export async function* readRecords(paths: readonly string[], normalizer: Normalizer): AsyncGenerator<FramedItem> {
  for await (const file of listFiles(paths)) yield* readFileRecords(file, normalizer);
}
