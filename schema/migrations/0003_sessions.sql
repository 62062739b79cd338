-- Correlated sessions: one row per access of an identity to a resource through one path (ingest/correlate).
-- Rows are recomputed per day; `computed_at` is the version and `is_deleted` a tombstone, so reads use FINAL.
-- NOTE: the sort key contains started_at; a tombstone always copies the exact started_at of the row it deletes.
CREATE TABLE IF NOT EXISTS sessions
(
    session_key         String,
    person              String,
    identity            String,
    resource            String,
    resource_type       LowCardinality(String),
    environment         LowCardinality(String),
    surface             LowCardinality(String),
    path                LowCardinality(String),
    started_at          DateTime64(3, 'UTC'),
    ended_at            Nullable(DateTime64(3, 'UTC')),
    privileged          Bool,
    outcome             LowCardinality(String),
    mfa_binding         LowCardinality(String),
    mfa_method          LowCardinality(String),
    phishing_resistant  Bool,
    mfa_event_id        String,
    mfa_age_seconds     Nullable(Int64),
    exemption_id        String,
    break_glass         Bool,
    identity_kind       LowCardinality(String),
    source              LowCardinality(String),
    event_ids           Array(String) CODEC(ZSTD(1)),
    event_count         UInt32,
    computed_at         DateTime64(6, 'UTC'),
    is_deleted          UInt8
)
ENGINE = ReplacingMergeTree(computed_at, is_deleted)
PARTITION BY toYYYYMM(started_at)
ORDER BY (started_at, session_key);

-- Bypass findings, each with the events that prove it. Recomputed per day like sessions.
CREATE TABLE IF NOT EXISTS findings
(
    finding_id          String,
    kind                LowCardinality(String),
    person              String,
    identity            String,
    resource            String,
    surface             LowCardinality(String),
    session_key         String,
    event_time          DateTime64(3, 'UTC'),
    evidence_event_ids  Array(String) CODEC(ZSTD(1)),
    detail              String,
    privileged          Bool,
    computed_at         DateTime64(6, 'UTC'),
    is_deleted          UInt8
)
ENGINE = ReplacingMergeTree(computed_at, is_deleted)
PARTITION BY toYYYYMM(event_time)
ORDER BY (event_time, finding_id);

-- Time to revoke: one row per revocation episode of a person (first trigger → last downstream revocation).
CREATE TABLE IF NOT EXISTS revocations
(
    person              String,
    trigger_time        DateTime64(3, 'UTC'),
    trigger_kind        LowCardinality(String),
    trigger_ref         String,
    closed_at           DateTime64(3, 'UTC'),
    closing_ref         String,
    hours               Float64,
    over_sla            Bool,
    evidence_event_ids  Array(String) CODEC(ZSTD(1)),
    computed_at         DateTime64(6, 'UTC'),
    is_deleted          UInt8
)
ENGINE = ReplacingMergeTree(computed_at, is_deleted)
PARTITION BY toYYYYMM(trigger_time)
ORDER BY (trigger_time, person);

-- MFA exemptions, append-only: a `create` row, and later possibly a `revoke` row for the same id. Never updated.
CREATE TABLE IF NOT EXISTS exemptions
(
    exemption_id        String,
    row_kind            LowCardinality(String),
    person_pattern      String,
    resource_pattern    String,
    reason              String,
    approver            String,
    starts_at           DateTime64(3, 'UTC'),
    expires_at          DateTime64(3, 'UTC'),
    created_by          String,
    created_at          DateTime64(3, 'UTC'),
    revoked_at          Nullable(DateTime64(3, 'UTC')),
    revoked_by          String
)
ENGINE = MergeTree
ORDER BY (exemption_id, row_kind, created_at);

-- Who changed which exemption, when, and through which token or CLI user.
CREATE TABLE IF NOT EXISTS exemption_changes
(
    change_id           String,
    exemption_id        String,
    action              LowCardinality(String),
    actor               String,
    actor_token_id      String,
    changed_at          DateTime64(3, 'UTC'),
    detail              String
)
ENGINE = MergeTree
ORDER BY (exemption_id, changed_at, change_id);

-- Reviews of break-glass sessions (any number per session; one is enough to count as reviewed).
CREATE TABLE IF NOT EXISTS break_glass_reviews
(
    review_id           String,
    session_key         String,
    reviewer            String,
    reviewer_token_id   String,
    notes               String,
    reviewed_at         DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (session_key, reviewed_at, review_id);

-- HR / offboarding CSV rows: a person left (or lost access) at a time. Revocation triggers.
CREATE TABLE IF NOT EXISTS offboarding
(
    person              String,
    offboarded_at       DateTime64(3, 'UTC'),
    reason              String,
    input_ref           String,
    row_sha256          String,
    imported_at         DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY (person, offboarded_at, row_sha256);

-- Days whose correlation is stale: the latest `dirty` token after the latest `done` token means recompute.
CREATE TABLE IF NOT EXISTS correlation_dirty
(
    day                 Date,
    kind                LowCardinality(String),
    token               UInt64
)
ENGINE = ReplacingMergeTree(token)
ORDER BY (day, kind);

-- Small key/value state of the correlator (e.g. digest of the IdP profiles used for identity resolution).
CREATE TABLE IF NOT EXISTS correlation_state
(
    key                 String,
    value               String,
    token               UInt64
)
ENGINE = ReplacingMergeTree(token)
ORDER BY key;
