import { Kafka, logLevel } from 'kafkajs';
import { BusError } from './bus-error.ts';

// Topic setup for the Kafka bus (used by `accessproof kafka init`). Topics are never auto-created: a mistyped
// topic name must fail, not silently become a new empty topic (reliability §8.10).

/** Default topic names (configurable; ARCHITECTURE "Naming"). */
export const DEFAULT_TOPICS = { raw: 'accessproof.raw', deadLetter: 'accessproof.dead-letter' } as const;

/** One topic to create. */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Extra topic configs (e.g. `retention.ms`); they override the defaults below. */
  readonly config?: Readonly<Record<string, string>>;
}

/** Result of {@link initTopics}. */
export interface InitTopicsResult {
  readonly created: string[];
  readonly existing: string[];
}

/** The raw and dead-letter topics with the same partitioning. */
export function defaultTopicSpecs(opts: { readonly partitions: number; readonly replicationFactor: number }): TopicSpec[] {
  return [
    { name: DEFAULT_TOPICS.raw, ...opts },
    { name: DEFAULT_TOPICS.deadLetter, ...opts },
  ];
}

/** Creates the missing topics; existing ones are checked (partition count) but never altered. Idempotent. */
export async function initTopics(opts: {
  readonly brokers: readonly string[];
  readonly topics: readonly TopicSpec[];
  readonly clientId?: string;
}): Promise<InitTopicsResult> {
  const kafka = new Kafka({
    clientId: opts.clientId ?? 'accessproof-admin',
    brokers: [...opts.brokers],
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: 5, factor: 0.2, multiplier: 2 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const present = new Set(await admin.listTopics());
    const missing = opts.topics.filter((t) => !present.has(t.name));
    const existing = opts.topics.filter((t) => present.has(t.name));
    if (missing.length > 0) {
      // A concurrent init may create a topic between list and create; kafkajs treats TOPIC_ALREADY_EXISTS as success.
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor,
          configEntries: Object.entries({ ...topicDefaults(t.replicationFactor), ...t.config }).map(([name, value]) => ({
            name,
            value,
          })),
        })),
      });
    }
    if (existing.length > 0) {
      const metadata = await admin.fetchTopicMetadata({ topics: existing.map((t) => t.name) });
      for (const spec of existing) {
        const found = metadata.topics.find((t) => t.name === spec.name);
        const partitions = found?.partitions.length ?? 0;
        if (partitions < spec.partitions) {
          throw new BusError(
            'ERR_KAFKA_TOPIC_INIT',
            `topic ${spec.name} exists with ${String(partitions)} partitions, ${String(spec.partitions)} requested; ` +
              'increase them explicitly (it changes the key → partition mapping)',
            { retriable: false },
          );
        }
      }
    }
    return { created: missing.map((t) => t.name), existing: existing.map((t) => t.name) };
  } finally {
    await admin.disconnect();
  }
}

function topicDefaults(replicationFactor: number): Record<string, string> {
  return {
    // NOTE: the consumer's offset-gap check assumes contiguous offsets: never compacted.
    'cleanup.policy': 'delete',
    // With RF ≥ 3 an acked write survives one broker loss; lower RFs cannot require more than one replica.
    'min.insync.replicas': replicationFactor >= 3 ? '2' : '1',
    'unclean.leader.election.enable': 'false',
  };
}
