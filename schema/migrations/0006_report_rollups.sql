-- Daily report rollups over auth_events (issue 8, P-6/P-7). auth_events stays the evidence of record; these are
-- derived, one partition per UTC day, and each day is rebuilt whole from `auth_events FINAL` by the correlator
-- (schema/store/queries/report-rollups.ts), so re-delivered duplicates never count twice and a late event only makes its day
-- dirty until the next rebuild. Report queries read a day from here only when it is listed in rollup_days and
-- not dirty (correlation_dirty); every other day, and the partial days at a period's edges, come from auth_events.

-- Events per day, source, person (user_key) and second-factor method.
CREATE TABLE IF NOT EXISTS auth_daily
(
    day                 Date,
    source              LowCardinality(String),
    user_key            UInt64,
    mfa_method          LowCardinality(String),
    events              UInt64,
    verified            UInt64,
    phishing_resistant  UInt64
)
ENGINE = MergeTree
PARTITION BY day
ORDER BY (source, mfa_method, user_key);

-- Events per day, source and second-factor method (the method mix; a few rows per day).
CREATE TABLE IF NOT EXISTS auth_daily_methods
(
    day                 Date,
    source              LowCardinality(String),
    mfa_method          LowCardinality(String),
    events              UInt64,
    verified            UInt64,
    phishing_resistant  UInt64
)
ENGINE = MergeTree
PARTITION BY day
ORDER BY (source, mfa_method);

-- Failed login / MFA attempts: one row per (source, person, client IP, second) with any failed or denied event.
CREATE TABLE IF NOT EXISTS failure_attempts
(
    day                 Date,
    source              LowCardinality(String),
    user_key            UInt64,
    src_ip              String,
    second              DateTime('UTC'),
    is_login            Bool,
    is_mfa              Bool
)
ENGINE = MergeTree
PARTITION BY day
ORDER BY (source, user_key, second, src_ip);

-- The canonical user behind each user_key seen in a built day, so reports name people without reading the user
-- String of every event. last_seen is the day of the latest rebuild that saw the person (a rebuild follows the
-- ingestion of its events), so a name outlives the events it names by the auth_events retention at least.
CREATE TABLE IF NOT EXISTS user_names
(
    user_key            UInt64,
    user                String,
    last_seen           Date
)
ENGINE = ReplacingMergeTree(last_seen)
ORDER BY user_key
TTL last_seen + INTERVAL 400 DAY;

-- Days whose rollups were built (the latest build of a day replaced its partitions whole). first_ingested_at is
-- the earliest ingestion time among the day's events at the build: the retention TTL (ACCESSPROOF_RETENTION_DAYS,
-- set at startup like auth_events') runs from it, so a day stops being read from the rollups as soon as the first
-- of its events can expire, and is then read from auth_events, which holds exactly what is retained.
CREATE TABLE IF NOT EXISTS rollup_days
(
    day                 Date,
    built_at            DateTime64(6, 'UTC'),
    first_ingested_at   DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(built_at)
ORDER BY day
TTL toDateTime(first_ingested_at) + INTERVAL 400 DAY;
