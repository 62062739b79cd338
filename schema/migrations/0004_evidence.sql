-- Evidence pack trail: one append-only row per pack generated or downloaded (who, which token, when, parameters,
-- manifest hash, where the file is). Plain MergeTree: rows are never replaced, updated or deleted by accessproof.
-- A download row is written before the first byte of the pack is sent.
CREATE TABLE IF NOT EXISTS evidence_packs
(
    record_id           String,
    pack_id             String,
    action              LowCardinality(String),
    principal           String,
    principal_role      LowCardinality(String),
    token_id            String,
    at                  DateTime64(3, 'UTC'),
    framework           LowCardinality(String),
    controls            Array(String),
    period_from         DateTime64(3, 'UTC'),
    period_to           DateTime64(3, 'UTC'),
    parameters          String,
    manifest_sha256     String,
    evidence_digest     String,
    zip_sha256          String,
    file_path           String,
    file_size           UInt64,
    client_ip           String,
    user_agent          String
)
ENGINE = MergeTree
ORDER BY (at, record_id);
