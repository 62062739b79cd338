import { Worker } from 'node:worker_threads';
import type { BusBatch, BusMessage, Subscription } from '../bus.ts';
import { BusError, findBusError } from '../bus-error.ts';
import type { KafkaClientSettings } from '../kafka-client.ts';
import { mergeKafkaGzipCodecStats } from '../kafka-gzip-codec.ts';
import type { BusLogger, KafkaSubscriptionSettings } from '../kafka-subscription.ts';
import { fromWireError, toWireError, unpackMessages, type ConsumerThreadInit, type MainMessage, type ThreadMessage } from './protocol.ts';

// The main-thread side of a Kafka subscription whose consumer runs on its own thread (./thread.ts). Why a thread:
// decoding a fetch (kafkajs builds ~20 objects per record) cost the normalising thread as much time as a third of
// normalising it, and kafkajs fetches the next batch only after the handler returned. With the consumer on its own
// core and one batch of read-ahead, the next batch is fetched and decoded while the handler runs.

/** What a threaded subscription needs. */
export interface ThreadedSubscriptionOptions {
  readonly client: KafkaClientSettings;
  readonly settings: KafkaSubscriptionSettings;
  readonly handler: (batch: BusBatch) => Promise<void>;
  readonly logger: BusLogger;
  readonly onFatal: (error: BusError, ctx: { readonly topic: string; readonly group: string }) => void;
}

const ENTRY = new URL('./entry.mjs', import.meta.url);

/** Starts the consumer thread; resolves once it joined the group (rejects with its start error: missing topic, gap...). */
export function startThreadedSubscription(opts: ThreadedSubscriptionOptions): Promise<Subscription> {
  const { topic, group } = opts.settings;
  const init: ConsumerThreadInit = { client: opts.client, settings: opts.settings };
  const worker = new Worker(ENTRY, { workerData: init });
  const send = (m: MainMessage): void => worker.postMessage(m);
  const stale = new Set<number>();
  const heartbeats = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let heartbeatSeq = 0;
  let handling: Promise<void> = Promise.resolve();
  let started = false;
  let stopRequested = false;
  let gone = false;
  let onStarted: { resolve: (s: Subscription) => void; reject: (e: Error) => void } | undefined;
  let onStopped: (() => void) | undefined;

  // Batch data posted ahead by the consumer thread, unpacked on arrival, until its go-ahead (or drop) comes.
  const ahead = new Map<number, BusMessage[]>();

  const runBatch = async (w: Extract<ThreadMessage, { type: 'deliver' }>, messages: BusMessage[]): Promise<void> => {
    const batch: BusBatch = {
      topic,
      partition: w.partition,
      messages,
      ...(w.highWatermark !== undefined ? { highWatermark: w.highWatermark } : {}),
      heartbeat: () => new Promise<void>((resolve, reject) => {
        if (gone) {
          reject(new BusError('ERR_BUS_STOPPED', `consumer thread of ${topic} is gone`, { retriable: true }));
          return;
        }
        heartbeatSeq += 1;
        heartbeats.set(heartbeatSeq, { resolve, reject });
        send({ type: 'heartbeat', id: w.id, hb: heartbeatSeq });
      }),
      isStale: () => gone || stale.has(w.id),
    };
    try {
      await opts.handler(batch);
      send({ type: 'done', id: w.id });
    } catch (error) {
      send({ type: 'failed', id: w.id, error: toWireError(error) });
    } finally {
      stale.delete(w.id);
    }
  };

  const threadFailed = (error: BusError): void => {
    gone = true;
    for (const h of heartbeats.values()) h.reject(error);
    heartbeats.clear();
    if (!started) {
      onStarted?.reject(error);
    } else if (!stopRequested) {
      opts.logger.error({ topic, group, code: error.code, err: error.message }, 'kafka consumer thread failed');
      opts.onFatal(error, { topic, group });
    }
    onStopped?.();
  };

  worker.on('message', (m: ThreadMessage) => {
    switch (m.type) {
      case 'batch':
        ahead.set(m.id, unpackMessages(m));
        break;
      case 'deliver': {
        const messages = ahead.get(m.id) ?? [];
        ahead.delete(m.id);
        // The thread gives the go-ahead for one batch at a time (after the previous one is done); chained all the same.
        handling = handling.then(() => runBatch(m, messages));
        break;
      }
      case 'drop':
        ahead.delete(m.id);
        break;
      case 'log':
        opts.logger[m.level](m.obj, m.msg);
        break;
      case 'started':
        started = true;
        onStarted?.resolve(subscription);
        break;
      case 'start_failed':
        gone = true;
        onStarted?.reject(fromWireError(m.error));
        void worker.terminate();
        break;
      case 'stale':
        stale.add(m.id);
        break;
      case 'heartbeat_result': {
        const h = heartbeats.get(m.hb);
        heartbeats.delete(m.hb);
        if (m.error === undefined) h?.resolve();
        else h?.reject(fromWireError(m.error));
        break;
      }
      case 'fatal': {
        const error = fromWireError(m.error);
        opts.onFatal(findBusError(error) ?? new BusError('ERR_KAFKA_CONSUMER_FAILED', error.message, { retriable: true, cause: error }), { topic, group });
        break;
      }
      case 'stopped':
        gone = true;
        mergeKafkaGzipCodecStats(m.codec);
        void worker.terminate().then(() => onStopped?.());
        break;
    }
  });
  worker.on('error', (error) => {
    threadFailed(new BusError('ERR_KAFKA_CONSUMER_FAILED', `consumer thread of ${topic} (group ${group}) failed: ${error.message}`, { retriable: true, cause: error }));
  });
  worker.on('exit', (code) => {
    if (gone) return;
    threadFailed(new BusError('ERR_KAFKA_CONSUMER_FAILED', `consumer thread of ${topic} (group ${group}) exited (code ${String(code)})`, { retriable: true }));
  });

  let stopping: Promise<void> | undefined;
  const subscription: Subscription = {
    stop() {
      stopping ??= gone
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
          stopRequested = true;
          onStopped = resolve;
          send({ type: 'stop' });
        });
      return stopping;
    },
  };
  return new Promise<Subscription>((resolve, reject) => {
    onStarted = { resolve, reject };
  });
}
