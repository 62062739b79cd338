import { parentPort, workerData } from 'node:worker_threads';
import type { Admin } from 'kafkajs';
import type { BusBatch, BusMessage, Subscription } from '../bus.ts';
import { createKafkaClient } from '../kafka-client.ts';
import { installKafkaGzipCodec, kafkaGzipCodecStats } from '../kafka-gzip-codec.ts';
import { startKafkaSubscription, type BusLogger } from '../kafka-subscription.ts';
import { fromWireError, packBatch, toWireError, type ConsumerThreadInit, type MainMessage, type ThreadMessage } from './protocol.ts';

// A Kafka subscription's consumer thread: kafkajs (fetch, GZIP inflate, record decoding, heartbeats, commits) and
// the delivery rules of kafka-subscription.ts run here; each batch is handed to the main thread, whose handler
// resolving is the acknowledgement. With the subscription's read-ahead, this thread fetches and decodes the next
// batch while the main thread handles the current one.

const port = parentPort;
if (!port) throw new Error('consumer-thread/thread.ts runs only as a worker thread');
const init = workerData as ConsumerThreadInit;
const post = (m: ThreadMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

/** Log fields as plain data: kafkajs entries may carry errors, functions or bigints, which do not clone. */
function plain(obj: object): object {
  try {
    return JSON.parse(JSON.stringify(obj, (_key, value: unknown) => {
      if (typeof value === 'bigint') return value.toString();
      if (value instanceof Error) return { name: value.name, message: value.message };
      return value;
    })) as object;
  } catch {
    return {};
  }
}

const logger: BusLogger = {
  debug: (obj, msg) => post({ type: 'log', level: 'debug', obj: plain(obj), msg }),
  info: (obj, msg) => post({ type: 'log', level: 'info', obj: plain(obj), msg }),
  warn: (obj, msg) => post({ type: 'log', level: 'warn', obj: plain(obj), msg }),
  error: (obj, msg) => post({ type: 'log', level: 'error', obj: plain(obj), msg }),
};

installKafkaGzipCodec();
const kafka = createKafkaClient(init.client, logger);
let adminReady: Promise<Admin> | undefined;
const connectAdmin = (): Promise<Admin> => {
  adminReady ??= (async () => {
    const admin = kafka.admin({ retry: init.client.retry });
    await admin.connect();
    return admin;
  })().catch((error: unknown) => {
    adminReady = undefined;
    throw error;
  });
  return adminReady;
};

interface Handed {
  readonly batch: BusBatch;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  staleReported: boolean;
}

// How often a handed-out batch's staleness is re-checked, so that the main thread's isStale() follows it.
const STALE_POLL_MS = 100;
const handed = new Map<number, Handed>();
let nextId = 0;

// Batches whose data was posted ahead (the subscription's read-ahead), by their messages array. Posting the data
// while the previous batch is handled takes its serialisation (consumer thread) and deserialisation (main thread,
// during the go-ahead's round trip) off the path between two batches; the handler only sends the go-ahead.
const postedAhead = new WeakMap<readonly BusMessage[], number>();

function postData(messages: readonly BusMessage[]): number {
  const id = ++nextId;
  const { message, transfer } = packBatch(messages);
  post({ type: 'batch', id, ...message }, transfer);
  return id;
}

/** Tells the main thread about every handed-out batch that is stale now (polled, and pushed on known events). */
function reportStale(): void {
  for (const [id, entry] of handed) {
    if (!entry.staleReported && entry.batch.isStale()) {
      entry.staleReported = true;
      post({ type: 'stale', id });
    }
  }
}

function handToMain(batch: BusBatch): Promise<void> {
  const id = postedAhead.get(batch.messages) ?? postData(batch.messages);
  postedAhead.delete(batch.messages);
  return new Promise<void>((resolve, reject) => {
    handed.set(id, { batch, resolve, reject, staleReported: false });
    post({ type: 'deliver', id, partition: batch.partition, highWatermark: batch.highWatermark });
    const poll = setInterval(() => {
      if (handed.has(id)) reportStale();
      else clearInterval(poll);
    }, STALE_POLL_MS);
  });
}

function dropPostedAhead(messages: readonly BusMessage[]): void {
  const id = postedAhead.get(messages);
  if (id === undefined) return;
  postedAhead.delete(messages);
  post({ type: 'drop', id });
}

let subscription: Subscription | undefined;

port.on('message', (m: MainMessage) => {
  if (m.type === 'done' || m.type === 'failed') {
    const entry = handed.get(m.id);
    handed.delete(m.id);
    if (m.type === 'done') entry?.resolve();
    else entry?.reject(fromWireError(m.error));
  } else if (m.type === 'heartbeat') {
    const entry = handed.get(m.id);
    if (entry === undefined) {
      post({ type: 'heartbeat_result', hb: m.hb, error: toWireError(new Error('heartbeat for a batch that is no longer in flight')) });
      return;
    }
    entry.batch.heartbeat().then(
      () => post({ type: 'heartbeat_result', hb: m.hb }),
      (error: unknown) => post({ type: 'heartbeat_result', hb: m.hb, error: toWireError(error) }),
    );
  } else if (m.type === 'stop') {
    void (async () => {
      try {
        await subscription?.stop();
        if (adminReady !== undefined) await (await adminReady.catch(() => undefined))?.disconnect();
      } catch (error) {
        logger.warn({ err: (error as Error).message }, 'kafka consumer did not stop cleanly');
      } finally {
        post({ type: 'stopped', codec: kafkaGzipCodecStats() });
      }
    })();
  }
});

startKafkaSubscription({
  ...init.settings,
  kafka,
  admin: connectAdmin,
  handler: handToMain,
  prepare: (messages) => postedAhead.set(messages, postData(messages)),
  discard: dropPostedAhead,
  onStale: reportStale,
  logger,
  onFatal: (error) => post({ type: 'fatal', error: toWireError(error) }),
}).then(
  (s) => {
    subscription = s;
    post({ type: 'started' });
  },
  (error: unknown) => post({ type: 'start_failed', error: toWireError(error) }),
);
