/**
 * A small encoder for ClickHouse's `Native` format (one block, uncompressed), the insert body the engine reads
 * fastest: columns are written one after the other, so the engine copies them instead of parsing text
 * (research/performance.md §2.2: Native ≈ 5–7× the JSONEachRow rate). Only the types the store needs:
 * String (also accepted by LowCardinality(String) columns through input_format_native_allow_types_conversion,
 * on by default), Bool/UInt8, UInt64, DateTime64(3) and Map(String, String).
 */

/** A growable byte buffer with the primitive encodings of the Native format. */
export class NativeWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = 1 << 16) {
    this.buf = Buffer.allocUnsafe(Math.max(64, initialBytes));
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + extra));
    this.buf.copy(next, 0, 0, this.pos);
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
    // NOTE: strings under 43 UTF-16 units encode to < 128 bytes, so their length fits one byte and the text
    // can be written in one pass; longer ones are measured first.
    if (s.length < 43) {
      this.ensure(1 + s.length * 3);
      const written = this.buf.write(s, this.pos + 1, 'utf8');
      this.buf[this.pos] = written;
      this.pos += 1 + written;
      return;
    }
    const len = Buffer.byteLength(s, 'utf8');
    this.varUInt(len);
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, 'utf8');
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

  /** The encoded bytes (a view; the writer must not be used afterwards). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** How one column of a row type is written. */
export interface NativeColumn<T> {
  readonly name: string;
  /** The type announced in the block header (the engine converts it to the table's type). */
  readonly type: string;
  write(w: NativeWriter, rows: readonly T[]): void;
}

/** A String column read from each row. */
export function stringColumn<T>(name: string, get: (row: T) => string): NativeColumn<T> {
  return { name, type: 'String', write: (w, rows) => { for (const r of rows) w.string(get(r)); } };
}

/** A String column whose values are already UTF-8 bytes (raw records: no decode/encode round trip). */
export function bytesColumn<T>(name: string, get: (row: T) => Uint8Array): NativeColumn<T> {
  return { name, type: 'String', write: (w, rows) => { for (const r of rows) w.bytes(get(r)); } };
}

/** A Bool column. */
export function boolColumn<T>(name: string, get: (row: T) => boolean): NativeColumn<T> {
  return { name, type: 'Bool', write: (w, rows) => { for (const r of rows) w.u8(get(r) ? 1 : 0); } };
}

/** A UInt64 column (values below 2^53). */
export function uint64Column<T>(name: string, get: (row: T) => number): NativeColumn<T> {
  return { name, type: 'UInt64', write: (w, rows) => { for (const r of rows) w.u64(get(r)); } };
}

/** A DateTime64(3, 'UTC') column from epoch milliseconds. */
export function time64Column<T>(name: string, getMs: (row: T) => number): NativeColumn<T> {
  return { name, type: "DateTime64(3, 'UTC')", write: (w, rows) => { for (const r of rows) w.i64(getMs(r)); } };
}

/** A Map(String, String) column: cumulative offsets, then every key, then every value. */
export function stringMapColumn<T>(name: string, get: (row: T) => Readonly<Record<string, string>>): NativeColumn<T> {
  return {
    name,
    type: 'Map(String, String)',
    write: (w, rows) => {
      let offset = 0;
      for (const r of rows) {
        const m = get(r);
        for (const k in m) if (Object.hasOwn(m, k)) offset++;
        w.u64(offset);
      }
      for (const r of rows) {
        const m = get(r);
        for (const k in m) if (Object.hasOwn(m, k)) w.string(k);
      }
      for (const r of rows) {
        const m = get(r);
        for (const k in m) if (Object.hasOwn(m, k)) w.string(m[k] as string);
      }
    },
  };
}

/** Encodes rows as one Native block. `sizeHint` (bytes) avoids regrowing the buffer for large bodies. */
export function encodeNative<T>(rows: readonly T[], columns: readonly NativeColumn<T>[], sizeHint = 0): Buffer {
  const w = new NativeWriter(sizeHint > 0 ? sizeHint : 256 + rows.length * 64);
  w.varUInt(columns.length);
  w.varUInt(rows.length);
  for (const c of columns) {
    w.string(c.name);
    w.string(c.type);
    c.write(w, rows);
  }
  return w.finish();
}
