-- Scale-out mode: the offset range each Kafka worker started to insert, per consumer group, topic and partition.
-- A worker records a range before inserting it; after a crash the re-delivered batch is re-inserted on the same
-- boundaries, so its insert_deduplication_tokens repeat exactly and the retry adds nothing
-- (ingest/worker/batch-plan.ts). Only the latest row per partition matters: `version` grows with every record
-- (the reader orders by it), and merges keep one row per partition.
CREATE TABLE IF NOT EXISTS kafka_ranges
(
    consumer_group  String,
    topic           String,
    partition       UInt32,
    epoch           UInt32,
    first_offset    UInt64,
    last_offset     UInt64,
    chunk_size      UInt32,
    first_fp        String,
    last_fp         String,
    version         UInt64,
    recorded_at     DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (consumer_group, topic, partition)
SETTINGS non_replicated_deduplication_window = 10000;
