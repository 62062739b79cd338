-- Monthly report rollups (issue 8, P-6c: the one-month report). The per-person and per-resource breakdowns and
-- the ingestion-lag quantiles need distinct people per resource, distinct resources per person and a millisecond
-- lag histogram. Per day those barely shrink (one row per day × person × resource is most of the events: people
-- have a few events a day), but per month they do (people reach the same few resources all month; lags repeat).
-- A month is rebuilt whole from `auth_events FINAL`, over exactly the days rollup_days lists as built, whenever
-- the correlator rebuilds one of its days (schema/store/queries/report-rollups.ts); a query reads a month from
-- here only when it lies wholly inside the period, none of its days is dirty, and rollup_days still lists the
-- same built days (their count and latest build time match rollup_months) — otherwise the month's days are read
-- as before (daily rollups / auth_events).

-- Events per month, source, person (user_key) and resource, with the counts the breakdowns report. A key is in a
-- row exactly when it has at least one event that month, so distinct counts over these rows are exact.
CREATE TABLE IF NOT EXISTS auth_monthly_access
(
    month                   Date,
    source                  LowCardinality(String),
    user_key                UInt64,
    resource                LowCardinality(String),
    resource_type           LowCardinality(String),
    events                  UInt64,
    logins                  UInt64,
    verified                UInt64,
    failures                UInt64,
    privileged_events       UInt64,
    privileged_successes    UInt64,
    privileged_without_mfa  UInt64
)
ENGINE = MergeTree
PARTITION BY month
ORDER BY (resource, user_key, source, resource_type);

-- Events per month and ingestion lag (ingested_at - event_time, whole milliseconds): the exact histogram the
-- nearest-rank lag quantiles are read from.
CREATE TABLE IF NOT EXISTS auth_monthly_lag
(
    month                   Date,
    lag_ms                  Int64,
    events                  UInt64
)
ENGINE = MergeTree
PARTITION BY month
ORDER BY lag_ms;

-- Which built days each month's rollups cover: how many days rollup_days listed for the month and the latest of
-- their build times, when the month was built. A later build or expiry of any of its days changes either figure.
CREATE TABLE IF NOT EXISTS rollup_months
(
    month                   Date,
    days                    UInt32,
    last_day_built          DateTime64(6, 'UTC'),
    built_at                DateTime64(6, 'UTC')
)
ENGINE = ReplacingMergeTree(built_at)
ORDER BY month;
