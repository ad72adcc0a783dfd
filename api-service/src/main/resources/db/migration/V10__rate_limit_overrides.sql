-- Run-time overrides of the workers' global rate limits, set by an admin through
-- PUT /api/admin/rate-limits/{operation} and removed by DELETE (back to WORKER_RATE_LIMITS).
-- The source of truth for overrides: every worker reads the whole table every ~2 s and puts
-- what it finds in force. The API owns it (it is the only writer, and its admin endpoints
-- must work before any worker has started); a worker that starts before this migration ran
-- finds no table and runs on WORKER_RATE_LIMITS alone until it appears.
CREATE TABLE rate_limit_overrides (
    operation      text        PRIMARY KEY,
    items          bigint      NOT NULL CHECK (items >= 1),
    period_ms      bigint      NOT NULL CHECK (period_ms >= 1),
    burst          bigint      NOT NULL CHECK (burst >= 1),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    updated_by     text        NOT NULL,
    updated_by_key uuid
);
