import { AppError } from '../../../core/errors.ts';
import { packBytes, packedBuffer } from '../../../core/packed-bytes.ts';
import type { BusMessage } from '../bus.ts';
import { BusError, type BusErrorCode } from '../bus-error.ts';
import type { KafkaClientSettings } from '../kafka-client.ts';
import type { KafkaSubscriptionSettings } from '../kafka-subscription.ts';

// Messages between a Kafka subscription (main thread: runs the handler) and its consumer thread (kafkajs: fetches,
// inflates, decodes, commits). A batch crosses as one transferred byte buffer plus flat arrays: cloning ~5,000
// message objects would cost the main thread much of what the thread saves it.

/** workerData of a consumer thread. */
export interface ConsumerThreadInit {
  readonly client: KafkaClientSettings;
  readonly settings: KafkaSubscriptionSettings;
}

/** An error as it crosses threads: enough for kafkajs's retry decisions (name, `retriable`) and for BusError codes. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly code?: string;
  readonly retriable?: boolean;
  readonly cause?: WireError;
}

/**
 * One fetched batch's data, posted as soon as it is packed (while the previous batch is still being handled); the
 * main thread keeps it until a `deliver` (run the handler) or a `drop` for the same id.
 */
export interface WireBatch {
  readonly type: 'batch';
  readonly id: number;
  readonly keys: readonly string[];
  readonly offsets: readonly (string | undefined)[];
  /** Every value back to back; message i is values[bounds[i], bounds[i + 1]). */
  readonly values: Uint8Array;
  readonly bounds: Uint32Array;
  /** Headers of message i: headerCounts[i] entries, in order, of headerNameIds (into headerNames) and headerValues. */
  readonly headerCounts: Uint16Array;
  readonly headerNames: readonly string[];
  readonly headerNameIds: Uint16Array;
  readonly headerValues: readonly string[];
}

/** Consumer thread → main thread. */
export type ThreadMessage =
  | WireBatch
  | { readonly type: 'deliver'; readonly id: number; readonly partition: number; readonly highWatermark: string | undefined }
  | { readonly type: 'drop'; readonly id: number }
  | { readonly type: 'log'; readonly level: 'debug' | 'info' | 'warn' | 'error'; readonly obj: object; readonly msg: string }
  | { readonly type: 'started' }
  | { readonly type: 'start_failed'; readonly error: WireError }
  | { readonly type: 'stale'; readonly id: number }
  | { readonly type: 'heartbeat_result'; readonly hb: number; readonly error?: WireError }
  | { readonly type: 'fatal'; readonly error: WireError }
  | { readonly type: 'stopped'; readonly codec: { readonly inflates: number; readonly readAheadHits: number } };

/** Main thread → consumer thread. */
export type MainMessage =
  | { readonly type: 'done'; readonly id: number }
  | { readonly type: 'failed'; readonly id: number; readonly error: WireError }
  | { readonly type: 'heartbeat'; readonly id: number; readonly hb: number }
  | { readonly type: 'stop' };

/** The packed messages of a batch. */
export type PackedMessages = Omit<WireBatch, 'type' | 'id'>;

/** Packs a batch's messages; the returned buffer is to be transferred. */
export function packBatch(messages: readonly BusMessage[]): { message: PackedMessages; transfer: ArrayBuffer[] } {
  const n = messages.length;
  const { bytes: values, offsets: bounds } = packBytes(messages.map((m) => m.value));
  const keys: string[] = new Array(n);
  const offsets: (string | undefined)[] = new Array(n);
  const headerCounts = new Uint16Array(n);
  let headerNameIds = new Uint16Array(n * 4 + 8);
  const headerValues: string[] = [];
  const nameIds = new Map<string, number>();
  const headerNames: string[] = [];
  let h = 0;
  for (let i = 0; i < n; i++) {
    const m = messages[i] as BusMessage;
    keys[i] = m.key;
    offsets[i] = m.offset;
    const first = h;
    for (const name in m.headers) {
      let nameId = nameIds.get(name);
      if (nameId === undefined) {
        nameId = headerNames.length;
        nameIds.set(name, nameId);
        headerNames.push(name);
      }
      if (h === headerNameIds.length) {
        const grown = new Uint16Array(h * 2);
        grown.set(headerNameIds);
        headerNameIds = grown;
      }
      headerNameIds[h] = nameId;
      headerValues.push(m.headers[name] as string);
      h += 1;
    }
    headerCounts[i] = h - first;
  }
  const message: PackedMessages = {
    keys, offsets, values, bounds, headerCounts, headerNames, headerNameIds: headerNameIds.slice(0, h), headerValues,
  };
  return { message, transfer: [values.buffer as ArrayBuffer] };
}

/** The messages of a packed batch; values are views of the one transferred buffer. */
export function unpackMessages(w: WireBatch): BusMessage[] {
  const all = packedBuffer(w.values);
  const n = w.keys.length;
  const out: BusMessage[] = new Array(n);
  let h = 0;
  for (let i = 0; i < n; i++) {
    const headers: Record<string, string> = {};
    const count = w.headerCounts[i] as number;
    for (let k = 0; k < count; k++, h++) headers[w.headerNames[w.headerNameIds[h] as number] as string] = w.headerValues[h] as string;
    const offset = w.offsets[i];
    const value = all.subarray(w.bounds[i] as number, w.bounds[i + 1] as number);
    out[i] = offset === undefined ? { key: w.keys[i] as string, value, headers } : { key: w.keys[i] as string, value, headers, offset };
  }
  return out;
}

/** An error in a form that crosses threads (its cause chain too, a few levels deep). */
export function toWireError(error: unknown, depth = 0): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const { code, retriable } = error as { code?: unknown; retriable?: unknown };
  return {
    name: error.name,
    message: error.message,
    ...(error.stack !== undefined ? { stack: error.stack } : {}),
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof retriable === 'boolean' ? { retriable } : {}),
    ...(error.cause !== undefined && depth < 5 ? { cause: toWireError(error.cause, depth + 1) } : {}),
  };
}

/** Rebuilds an error on this side: a BusError stays a BusError (kafkajs and findBusError look at it). */
export function fromWireError(w: WireError): Error {
  const cause = w.cause === undefined ? undefined : fromWireError(w.cause);
  let error: Error;
  if (w.name === 'BusError' && w.code !== undefined) {
    error = new BusError(w.code as BusErrorCode, w.message, { retriable: w.retriable ?? false, cause });
  } else if (w.code !== undefined) {
    error = new AppError(w.code, w.message, { retriable: w.retriable ?? false, cause });
    error.name = w.name;
  } else {
    error = new Error(w.message, cause === undefined ? undefined : { cause });
    error.name = w.name;
    // kafkajs decides retries on `retriable` (false: no retry, no restart); keep it when the original had one.
    if (w.retriable !== undefined) Object.assign(error, { retriable: w.retriable });
  }
  if (w.stack !== undefined) error.stack = w.stack;
  return error;
}
