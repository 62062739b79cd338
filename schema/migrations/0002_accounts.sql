-- Cloud account inventory snapshots (IAM credential report rows, and updates derived from CloudTrail IAM events).
-- Each snapshot row is kept, so the inventory can be shown as of any date.
CREATE TABLE IF NOT EXISTS accounts
(
    source                 LowCardinality(String),
    account_id             String,
    user                   String,
    arn                    String,
    is_root                Bool,
    password_enabled       Bool,
    password_last_used     Nullable(DateTime64(3, 'UTC')),
    mfa_active             Bool,
    access_key_1_active    Bool,
    access_key_1_last_used Nullable(DateTime64(3, 'UTC')),
    access_key_2_active    Bool,
    access_key_2_last_used Nullable(DateTime64(3, 'UTC')),
    user_creation_time     Nullable(DateTime64(3, 'UTC')),
    last_used              Nullable(DateTime64(3, 'UTC')),
    is_admin               Bool,
    deleted                Bool,
    snapshot_time          DateTime64(3, 'UTC'),
    origin                 LowCardinality(String),
    origin_ref             String
)
ENGINE = ReplacingMergeTree
ORDER BY (account_id, user, snapshot_time, origin)
SETTINGS non_replicated_deduplication_window = 10000;
