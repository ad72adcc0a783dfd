-- WORKER_RATE_LIMITS as the workers run with it, so the admin API can show the limit an
-- operation falls back to when its override is removed (source "env"). Every worker replaces
-- the table's content with its own setting at start-up: the last worker to start speaks for
-- the fleet (they normally share one environment). The API only reads it, and treats a
-- missing table (no worker has started yet) as "no environment limits".
CREATE TABLE worker.rate_limit_defaults (
    operation   text        PRIMARY KEY,
    items       bigint      NOT NULL CHECK (items >= 1),
    period_ms   bigint      NOT NULL CHECK (period_ms >= 1),
    burst       bigint      NOT NULL CHECK (burst >= 1),
    reported_at timestamptz NOT NULL DEFAULT now(),
    reported_by text        NOT NULL
);
