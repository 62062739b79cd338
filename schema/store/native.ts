import { digitsAt } from '../../core/decimal-digits.ts';

/**
 * A small encoder for ClickHouse's `Native` format (one block, uncompressed), the insert body the engine reads
 * fastest: columns are written one after the other, so the engine copies them instead of parsing text
 * (research/performance.md §2.2: Native ≈ 5–7× the JSONEachRow rate). Only the types the store needs:
 * String (also accepted by LowCardinality(String) columns through input_format_native_allow_types_conversion,
 * on by default), Bool/UInt8, UInt64, DateTime64(3) and Map(String, String).
 */

/**
 * Large body buffers are reused: an ingest batch encodes ~30 MB, and allocating that afresh for every batch costs
 * page faults and, as V8 external memory, full garbage collections. A body returns here only through
 * {@link releaseBodies}, called once its insert has completed; only big buffers are kept, at most a few.
 */
const POOL: Buffer[] = [];
const POOL_MIN_BYTES = 1 << 20;
const POOL_MAX = 6;

function acquire(bytes: number): Buffer {
  let best = -1;
  for (let i = 0; i < POOL.length; i++) {
    const b = POOL[i] as Buffer;
    if (b.length >= bytes && (best < 0 || b.length < (POOL[best] as Buffer).length)) best = i;
  }
  if (best >= 0) return POOL.splice(best, 1)[0] as Buffer;
  return Buffer.allocUnsafe(bytes);
}

function giveBack(b: Buffer): void {
  if (b.length < POOL_MIN_BYTES) return;
  if (POOL.length >= POOL_MAX) POOL.splice(POOL.reduce((m, x, i) => (x.length < (POOL[m] as Buffer).length ? i : m), 0), 1);
  POOL.push(b);
}

/**
 * Returns encoded bodies' memory for reuse. NOTE: call only when nothing reads the bodies any more (their insert
 * has completed, they will not be retried); a body released too early would be overwritten by the next batch.
 */
export function releaseBodies(bodies: readonly Buffer[]): void {
  for (const b of bodies) {
    // A body is a view of a pooled buffer from offset 0; only whole pooled buffers are taken back.
    if (b.byteOffset !== 0 || b.buffer.byteLength < POOL_MIN_BYTES) continue;
    if (POOL.some((x) => x.buffer === b.buffer)) continue;
    giveBack(Buffer.from(b.buffer, 0, b.buffer.byteLength));
  }
}

/** A string's Native encoding (length prefix + UTF-8), for values written many times. */
function encodedString(s: string): Uint8Array {
  const body = Buffer.from(s, 'utf8');
  const w = new NativeWriter(body.length + 5);
  w.bytes(body);
  return new Uint8Array(w.finish());
}

/** A growable byte buffer with the primitive encodings of the Native format. */
export class NativeWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = 1 << 16) {
    this.buf = acquire(Math.max(64, initialBytes));
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const next = acquire(Math.max(this.buf.length * 2, this.pos + extra));
    this.buf.copy(next, 0, 0, this.pos);
    giveBack(this.buf);
    this.buf = next;
  }

  /** LEB128 unsigned (lengths, counts). */
  varUInt(value: number): void {
    this.ensure(10);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  /** Length-prefixed UTF-8 string. */
  string(s: string): void {
    const n = s.length;
    // NOTE: short strings are copied char by char while they are ASCII (ids, emails, IPs, ARNs — nearly all of
    // them): a Buffer.write call costs more than the copy below 128 chars, and the length then fits one byte.
    if (n < 128) {
      this.ensure(1 + n * 3);
      const b = this.buf;
      const start = this.pos;
      let p = start + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[p++] = c;
      }
      if (i === n) {
        b[start] = n;
        this.pos = p;
        return;
      }
      // Non-ASCII: encoded by Buffer.write below, from the start (the partial copy is overwritten).
    }
    const len = Buffer.byteLength(s, 'utf8');
    this.varUInt(len);
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, len, 'utf8');
  }

  /**
   * A string that repeats across rows (enum-like columns, map keys): its encoding is computed once per writer and
   * copied afterwards, which costs a fraction of re-encoding it (the cache is bounded; misses fall back).
   */
  cachedString(s: string, cache: Map<string, Uint8Array>): void {
    let enc = cache.get(s);
    if (enc === undefined) {
      if (cache.size >= 4096) {
        this.string(s);
        return;
      }
      enc = encodedString(s);
      cache.set(s, enc);
    }
    this.encoded(enc);
  }

  /** Appends a value already encoded by {@link encodedString}. */
  private encoded(enc: Uint8Array): void {
    const n = enc.length;
    this.ensure(n);
    if (n <= 24) {
      const b = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) b[p++] = enc[i] as number;
      this.pos = p;
    } else {
      this.buf.set(enc, this.pos);
      this.pos += n;
    }
  }

  /** Length-prefixed raw bytes (a String value that is already UTF-8). */
  bytes(b: Uint8Array): void {
    this.varUInt(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  /** Unsigned or non-negative 64-bit integer below 2^53, little-endian (also DateTime64 ticks after 1970). */
  u64(v: number): void {
    this.ensure(8);
    this.buf.writeUInt32LE(v % 4294967296, this.pos);
    this.buf.writeUInt32LE(Math.floor(v / 4294967296), this.pos + 4);
    this.pos += 8;
  }

  /** Signed 64-bit integer within ±2^53, little-endian. */
  i64(v: number): void {
    if (v >= 0) {
      this.u64(v);
      return;
    }
    this.ensure(8);
    this.buf.writeInt32LE(Math.floor(v / 4294967296), this.pos + 4);
    this.buf.writeUInt32LE(((v % 4294967296) + 4294967296) % 4294967296, this.pos);
    this.pos += 8;
  }

  /** Appends bytes as they are (no length prefix). */
  append(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** The bytes written so far (a view, valid until the next write or reset). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** Forgets what was written; the buffer is kept for what comes next. */
  reset(): void {
    this.pos = 0;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /** The encoded bytes (a view; the writer must not be used afterwards). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/**
 * One column of a block being built: rows' values are appended to the column's own buffer a few rows at a time,
 * right after the rows were produced (see NativeBlockBuilder). NOTE: not column by column over the whole batch at
 * the end: by then a batch's rows are out of the CPU caches and still alive in the young generation, and reading
 * each of them again for each of 28 columns made cache misses and garbage collection most of the encoding time.
 */
export interface ColumnAppender<T> {
  /** Appends the rows' values of this column, in order. */
  addRows(rows: readonly T[]): void;
  /** Bytes of the column data added since the last flush. */
  readonly size: number;
  /** Appends the column data (rows in order) to `out` and starts the column afresh. */
  flushTo(out: NativeWriter): void;
}

/** How one column of a row type is written: its header, and a fresh appender of its values. */
export interface NativeColumn<T> {
  readonly name: string;
  /** The type announced in the block header (the engine converts it to the table's type). */
  readonly type: string;
  open(): ColumnAppender<T>;
}

const COLUMN_START_BYTES = 1 << 12;

/**
 * A column whose values all go to one buffer: `appender(w)` gives the function that writes rows' values to `w` (and
 * what to forget when the column is flushed).
 */
function bufferColumn<T>(
  name: string, type: string, appender: (w: NativeWriter) => { addRows(rows: readonly T[]): void; onFlush?(): void },
): NativeColumn<T> {
  return {
    name,
    type,
    open: () => {
      const w = new NativeWriter(COLUMN_START_BYTES);
      const { addRows, onFlush } = appender(w);
      return {
        addRows,
        get size() { return w.length; },
        flushTo(out) {
          out.append(w.view());
          w.reset();
          onFlush?.();
        },
      };
    },
  };
}

// NOTE: each column type below writes out its own loop over the rows. One shared loop calling a per-column `put`
// makes that call megamorphic, once per value (15–25 % slower encoding when each value went through such a call).

/** A String column read from each row. */
export function stringColumn<T>(name: string, get: (row: T) => string): NativeColumn<T> {
  return bufferColumn(name, 'String', (w) => ({ addRows: (rows) => { for (const r of rows) w.string(get(r)); } }));
}

/** A String column with few distinct values (enums, sources, agents): each distinct value is encoded once. */
export function repeatedStringColumn<T>(name: string, get: (row: T) => string): NativeColumn<T> {
  return bufferColumn(name, 'String', (w) => {
    // Per block: the block's distinct values, up to the cache bound.
    const cache = new Map<string, Uint8Array>();
    return { addRows: (rows) => { for (const r of rows) w.cachedString(get(r), cache); }, onFlush: () => cache.clear() };
  });
}

/** A String column whose values are already UTF-8 bytes (raw records: no decode/encode round trip). */
export function bytesColumn<T>(name: string, get: (row: T) => Uint8Array): NativeColumn<T> {
  return bufferColumn(name, 'String', (w) => ({ addRows: (rows) => { for (const r of rows) w.bytes(get(r)); } }));
}

/** A Bool column. */
export function boolColumn<T>(name: string, get: (row: T) => boolean): NativeColumn<T> {
  return bufferColumn(name, 'Bool', (w) => ({ addRows: (rows) => { for (const r of rows) w.u8(get(r) ? 1 : 0); } }));
}

/** A UInt64 column (values below 2^53). */
export function uint64Column<T>(name: string, get: (row: T) => number): NativeColumn<T> {
  return bufferColumn(name, 'UInt64', (w) => ({ addRows: (rows) => { for (const r of rows) w.u64(get(r)); } }));
}

/** A DateTime64(3, 'UTC') column from epoch milliseconds. */
export function time64Column<T>(name: string, getMs: (row: T) => number): NativeColumn<T> {
  return bufferColumn(name, "DateTime64(3, 'UTC')", (w) => ({ addRows: (rows) => { for (const r of rows) w.i64(getMs(r)); } }));
}

/** A Map(String, String) column: cumulative offsets, then every key, then every value (three streams). */
export function stringMapColumn<T>(name: string, get: (row: T) => Readonly<Record<string, string>>): NativeColumn<T> {
  return {
    name,
    type: 'Map(String, String)',
    open: () => {
      const offsets = new NativeWriter(COLUMN_START_BYTES);
      const keys = new NativeWriter(COLUMN_START_BYTES);
      const values = new NativeWriter(COLUMN_START_BYTES);
      const keyCache = new Map<string, Uint8Array>();
      let entries = 0;
      return {
        addRows(rows) {
          for (const row of rows) {
            const m = get(row);
            for (const k in m) {
              keys.cachedString(k, keyCache);
              values.string(m[k] as string);
              entries++;
            }
            offsets.u64(entries);
          }
        },
        get size() { return offsets.length + keys.length + values.length; },
        flushTo(out) {
          for (const w of [offsets, keys, values]) {
            out.append(w.view());
            w.reset();
          }
          keyCache.clear();
          entries = 0;
        },
      };
    },
  };
}

/**
 * Rows a builder holds before appending them to its columns. NOTE: small on purpose: each record's parse allocates
 * several KB, so after a few dozen records the first one's strings have left the CPU's L2 cache; measured on the
 * bench corpus, 4–32 rows encoded 1.1–1.4× faster than 256 and than one row at a time (bench/normalise-split.ts).
 */
const PENDING_ROWS = 16;

/**
 * Builds a Native block as rows are produced: `add` takes a row (call it right after the row was produced), every
 * {@link PENDING_ROWS} rows are appended to the columns, column by column, and `finish` joins the columns into one
 * body. Reusable: the column buffers keep their capacity for the next block.
 */
export class NativeBlockBuilder<T> {
  private readonly appenders: ColumnAppender<T>[];
  private readonly pending: T[] = [];
  private count = 0;

  constructor(private readonly columns: readonly NativeColumn<T>[]) {
    this.appenders = columns.map((c) => c.open());
  }

  add(row: T): void {
    this.pending.push(row);
    this.count++;
    if (this.pending.length >= PENDING_ROWS) this.appendPending();
  }

  private appendPending(): void {
    for (const a of this.appenders) a.addRows(this.pending);
    this.pending.length = 0;
  }

  /** Rows added since the last finish. */
  get rows(): number {
    return this.count;
  }

  /** The block of the rows added since the last finish, and where each column (its name/type header) starts. */
  finish(): { body: Buffer; starts: number[] } {
    if (this.pending.length) this.appendPending();
    let size = 32;
    for (let i = 0; i < this.columns.length; i++) {
      const c = this.columns[i] as NativeColumn<T>;
      size += 2 * (c.name.length + c.type.length + 10) + (this.appenders[i] as ColumnAppender<T>).size;
    }
    const w = new NativeWriter(size);
    w.varUInt(this.columns.length);
    w.varUInt(this.count);
    const starts: number[] = [];
    for (let i = 0; i < this.columns.length; i++) {
      const c = this.columns[i] as NativeColumn<T>;
      starts.push(w.length);
      w.string(c.name);
      w.string(c.type);
      (this.appenders[i] as ColumnAppender<T>).flushTo(w);
    }
    this.count = 0;
    return { body: w.finish(), starts };
  }
}

/** Encodes rows as one Native block. */
export function encodeNative<T>(rows: readonly T[], columns: readonly NativeColumn<T>[]): Buffer {
  const b = new NativeBlockBuilder(columns);
  for (const r of rows) b.add(r);
  return b.finish().body;
}

/**
 * Epoch ms of an ISO instant. The canonical `YYYY-MM-DDTHH:MM:SS.mmmZ` form (what AuthEvent and the pipeline
 * carry) is read digit by digit, several times cheaper than Date.parse; anything else goes to Date.parse.
 */
export function isoToMs(iso: string): number {
  if (iso.length === 24 && iso.charCodeAt(23) === 90 && iso.charCodeAt(10) === 84 && iso.charCodeAt(19) === 46
    && iso.charCodeAt(4) === 45 && iso.charCodeAt(7) === 45 && iso.charCodeAt(13) === 58 && iso.charCodeAt(16) === 58) {
    const y = digitsAt(iso, 0, 4);
    const mo = digitsAt(iso, 5, 2);
    const day = digitsAt(iso, 8, 2);
    const h = digitsAt(iso, 11, 2);
    const mi = digitsAt(iso, 14, 2);
    const sec = digitsAt(iso, 17, 2);
    const msec = digitsAt(iso, 20, 3);
    // Anything unusual (non-digits: a negative field; out-of-range fields) is left to Date.parse.
    if (y >= 0 && mo >= 1 && mo <= 12 && day >= 1 && day <= 31 && h >= 0 && h < 24 && mi >= 0 && mi < 60 && sec >= 0 && sec < 60 && msec >= 0) {
      return Date.UTC(y, mo - 1, day, h, mi, sec, msec);
    }
  }
  return Date.parse(iso);
}
