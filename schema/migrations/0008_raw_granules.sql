-- raw_events rows are ~3.4 KB, so its default granules (index_granularity_bytes 10 MiB) hold thousands of records,
-- and a merge holds about a granule from every part it reads: a background merge of 8 fresh parts needed ~220 MiB,
-- a merge of 16 parts ~410 MiB, which made the embedded engine's peak memory rise as the parts grew (README
-- "Performance", P-10c). With 1 MiB granules the same merges need ~10 MiB; the primary index stays small (one
-- key per ~300 records) and compression is unchanged (blocks are cut at 1 MiB either way).
-- index_granularity_bytes is fixed when a table is created, so the table is rebuilt: every row is copied, the
-- names are swapped and the old table dropped. Re-running after an interruption never loses a row: a repeated
-- copy adds rows with the same sorting key, which the ReplacingMergeTree collapses (reads use FINAL).
CREATE TABLE IF NOT EXISTS raw_events_rebuild
(
    raw_sha256   String,
    source       LowCardinality(String),
    event_time   DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    received_at  DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    input_ref    String CODEC(ZSTD(1)),
    raw          String CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(event_time)
ORDER BY (source, raw_sha256)
TTL toDateTime(received_at) + INTERVAL 400 DAY
SETTINGS non_replicated_deduplication_window = 10000, index_granularity_bytes = 1048576;

INSERT INTO raw_events_rebuild (raw_sha256, source, event_time, received_at, input_ref, raw)
SELECT raw_sha256, source, event_time, received_at, input_ref, raw FROM raw_events;

EXCHANGE TABLES raw_events AND raw_events_rebuild;

DROP TABLE IF EXISTS raw_events_rebuild SYNC;
