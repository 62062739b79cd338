-- Normalized authentication events: the evidence of record. Idempotent on event_id: event_id is a pure function of
-- (source, source_event_id), both in the sorting key, so a re-delivered record (same source record → same key) is
-- one row after merges; reads use FINAL.
-- Retention counts from ingestion (not event time) so a backfill of old logs is not discarded on arrival;
-- the interval is set from ACCESSPROOF_RETENTION_DAYS at startup.
-- Storage (research/performance.md P-8, ≤ 60 B/row): event_id is derived, not stored (16 random bytes per row);
-- the sort key groups one source's day by user, so a user's session ids, IPs, agents and details sit next to
-- each other and compress; user_key is the numeric key exact per-user counts group on (uniqExact over a UInt64
-- instead of a String hash table), stored nearly free because rows are sorted by user.
CREATE TABLE IF NOT EXISTS auth_events
(
    event_id            UUID ALIAS toUUID(UUIDNumToString(toFixedString(substring(SHA256(concat(source, '\x1f', source_event_id)), 1, 16), 16))),
    source              LowCardinality(String),
    source_kind         LowCardinality(String),
    source_event_id     String CODEC(ZSTD(1)),
    event_type          LowCardinality(String),
    event_time          DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    ingested_at         DateTime64(3, 'UTC') CODEC(ZSTD(1)),
    action              LowCardinality(String),
    user                String CODEC(ZSTD(1)),
    user_raw            String CODEC(ZSTD(1)),
    user_type           LowCardinality(String),
    target_user         String CODEC(ZSTD(1)),
    resource            LowCardinality(String),
    resource_type       LowCardinality(String),
    environment         LowCardinality(String),
    privileged          Bool,
    auth_method         LowCardinality(String),
    mfa_method          LowCardinality(String),
    mfa_method_raw      LowCardinality(String),
    mfa_verified        Bool,
    mfa_evidence        LowCardinality(String),
    phishing_resistant  Bool,
    outcome             LowCardinality(String),
    reason              String CODEC(ZSTD(1)),
    session_id          String CODEC(ZSTD(3)),
    src_ip              String CODEC(ZSTD(1)),
    user_agent          LowCardinality(String),
    raw_sha256          String CODEC(ZSTD(1)),
    details             Map(LowCardinality(String), String) CODEC(ZSTD(3)),
    user_key            UInt64 MATERIALIZED sipHash64(user) CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(event_time)
ORDER BY (source, toDate(event_time), user, event_time, source_event_id)
TTL toDateTime(ingested_at) + INTERVAL 400 DAY
SETTINGS non_replicated_deduplication_window = 10000;

-- The original upstream records behind the events, kept for evidence (auditors re-check the mapping).
CREATE TABLE IF NOT EXISTS raw_events
(
    raw_sha256   String,
    source       LowCardinality(String),
    event_time   DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    received_at  DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    input_ref    String CODEC(ZSTD(1)),
    raw          String CODEC(ZSTD(3))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(event_time)
ORDER BY (source, raw_sha256)
TTL toDateTime(received_at) + INTERVAL 400 DAY
SETTINGS non_replicated_deduplication_window = 10000;

-- Inputs that could not become events, with the reason. Nothing is dropped silently.
CREATE TABLE IF NOT EXISTS dead_letters
(
    source       LowCardinality(String),
    stage        LowCardinality(String),
    received_at  DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    input_ref    String CODEC(ZSTD(1)),
    reason       LowCardinality(String),
    detail       String CODEC(ZSTD(1)),
    raw          String CODEC(ZSTD(3)),
    raw_sha256   String
)
ENGINE = ReplacingMergeTree(received_at)
ORDER BY (source, stage, reason, raw_sha256, input_ref)
SETTINGS non_replicated_deduplication_window = 10000;

-- Per-source checkpoints (poller cursors, tail offsets). Latest row per name wins.
CREATE TABLE IF NOT EXISTS ingest_cursors
(
    name        String,
    source      LowCardinality(String),
    cursor      String,
    updated_at  DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY name
SETTINGS non_replicated_deduplication_window = 10000;

-- One row per stored batch: the completeness reconciliation (received = stored + duplicates + dead-lettered + dropped).
CREATE TABLE IF NOT EXISTS ingest_batches
(
    batch_id       String,
    source         LowCardinality(String),
    connector      LowCardinality(String),
    received_at    DateTime64(3, 'UTC'),
    min_event_time DateTime64(3, 'UTC'),
    max_event_time DateTime64(3, 'UTC'),
    received       UInt64,
    events         UInt64,
    dead_lettered  UInt64,
    dropped        UInt64
)
ENGINE = ReplacingMergeTree
ORDER BY (source, batch_id)
SETTINGS non_replicated_deduplication_window = 10000;

-- API tokens: only the SHA-256 of the token is stored.
CREATE TABLE IF NOT EXISTS api_tokens
(
    token_hash  String,
    name        String,
    role        LowCardinality(String),
    created_at  DateTime64(3, 'UTC'),
    revoked_at  Nullable(DateTime64(3, 'UTC'))
)
ENGINE = ReplacingMergeTree(created_at)
ORDER BY token_hash
SETTINGS non_replicated_deduplication_window = 10000;
