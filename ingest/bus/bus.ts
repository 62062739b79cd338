/** One message on the bus: a raw upstream record and its provenance headers. */
export interface BusMessage {
  /** Partition key: `<source>:<user key>` so one source's events for one user stay ordered. */
  readonly key: string;
  /** The raw record bytes (UTF-8 text of one JSON document or of one assembled text record). */
  readonly value: Buffer;
  /** `source`, `received_at`, `raw_sha256`, `input_ref` (plus the `reject_*` headers of a framing reject). */
  readonly headers: Readonly<Record<string, string>>;
  /** Kafka: the message's offset in its partition (decimal string); absent in memory and when publishing. */
  readonly offset?: string;
}

/** A delivered batch. The handler resolving is the acknowledgement. */
export interface BusBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly BusMessage[];
  /** Kafka: the partition's high watermark when the batch was fetched (next offset to be written); lag = it − next. */
  readonly highWatermark?: string;
  /** Kafka: heartbeat between sub-batches of a long batch. Memory: no-op. */
  heartbeat(): Promise<void>;
  /** True when the consumer is stopping or the batch went stale (rebalance): stop early, do not ack. */
  isStale(): boolean;
}

/** A running subscription. */
export interface Subscription {
  /** Stop fetching, let the in-flight batch finish and commit, leave the group. */
  stop(): Promise<void>;
}

/** Moves raw records from connectors to workers: in-process by default, Kafka when KAFKA_BROKERS is set. */
export interface Bus {
  readonly mode: 'memory' | 'kafka';
  /** Resolves once the messages are durable (Kafka acks) or, in memory, once the subscriber's handler resolved. */
  publish(topic: string, messages: readonly BusMessage[]): Promise<void>;
  /** Registers a consumer-group member; `handler` resolving acknowledges the batch. */
  subscribe(topic: string, group: string, handler: (batch: BusBatch) => Promise<void>): Promise<Subscription>;
  close(): Promise<void>;
}

/** Header names carried by every raw message. */
export const HEADER = {
  source: 'source',
  receivedAt: 'received_at',
  rawSha256: 'raw_sha256',
  inputRef: 'input_ref',
  /** A record rejected before the bus (framing: invalid JSON, corrupt gzip): the worker dead-letters it as is. */
  rejectStage: 'reject_stage',
  rejectReason: 'reject_reason',
  rejectDetail: 'reject_detail',
} as const;
