import type { Bus, BusBatch, BusMessage, Subscription } from './bus.ts';
import { BusError } from './bus-error.ts';

// The in-process bus (default mode). Semantics chosen to keep the acknowledgement chain of the Kafka bus:
// - publish() delivers the messages as ONE batch to every group subscribed to the topic and resolves only when
//   every handler resolved; a handler error rejects publish(), so the Source does not advance its cursor.
// - With no subscriber, publish() rejects at once with ERR_BUS_NO_SUBSCRIBER (retriable): nothing is durable in
//   memory, so waiting would hide a wiring mistake and a silent drop would lose evidence. Subscribe first.
// - Batches of one subscription are handled one at a time, in publish order (like one Kafka partition).
// - stop() lets the in-flight batch finish; batches still queued are rejected with ERR_BUS_STOPPED.

interface MemorySubscription {
  deliver(messages: readonly BusMessage[]): Promise<void>;
  stop(): Promise<void>;
}

/** Builds the in-process bus: publish awaits the subscribers' handlers. */
export function createMemoryBus(): Bus {
  const topics = new Map<string, Map<string, MemorySubscription>>();
  let closed = false;

  const remove = (topic: string, group: string): void => {
    const groups = topics.get(topic);
    groups?.delete(group);
    if (groups?.size === 0) topics.delete(topic);
  };

  return {
    mode: 'memory',

    async publish(topic, messages) {
      if (closed) throw new BusError('ERR_BUS_STOPPED', 'memory bus is closed', { retriable: false });
      const groups = topics.get(topic);
      if (groups === undefined || groups.size === 0) {
        throw new BusError('ERR_BUS_NO_SUBSCRIBER', `no subscriber for topic ${topic}: subscribe before publishing`, {
          retriable: true,
        });
      }
      if (messages.length === 0) return;
      const batch = [...messages];
      await Promise.all([...groups.values()].map((subscription) => subscription.deliver(batch)));
    },

    async subscribe(topic, group, handler) {
      if (closed) throw new BusError('ERR_BUS_STOPPED', 'memory bus is closed', { retriable: false });
      const groups = topics.get(topic) ?? new Map<string, MemorySubscription>();
      if (groups.has(group)) {
        throw new BusError('ERR_BUS_DUPLICATE_SUBSCRIBER', `group ${group} already subscribed to ${topic}`, {
          retriable: false,
        });
      }
      const subscription = memorySubscription(topic, handler, () => remove(topic, group));
      groups.set(group, subscription);
      topics.set(topic, groups);
      const handle: Subscription = { stop: () => subscription.stop() };
      return handle;
    },

    async close() {
      closed = true;
      const all = [...topics.values()].flatMap((groups) => [...groups.values()]);
      await Promise.all(all.map((subscription) => subscription.stop()));
    },
  };
}

function memorySubscription(
  topic: string,
  handler: (batch: BusBatch) => Promise<void>,
  onStop: () => void,
): MemorySubscription {
  // Serial queue: each delivery starts after the previous one settled.
  let tail: Promise<void> = Promise.resolve();
  let stopped = false;

  return {
    deliver(messages) {
      if (stopped) return Promise.reject(stoppedError(topic));
      const run = tail.then(async () => {
        if (stopped) throw stoppedError(topic);
        await handler({
          topic,
          partition: 0,
          messages,
          heartbeat: async () => undefined,
          // NOTE: never stale: publish() waits for this handler, so an early return would be taken as an ack.
          isStale: () => false,
        });
      });
      tail = run.catch(() => undefined);
      return run;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      onStop();
      await tail;
    },
  };
}

function stoppedError(topic: string): BusError {
  return new BusError('ERR_BUS_STOPPED', `subscription to ${topic} stopped before the batch was handled`, {
    retriable: true,
  });
}
