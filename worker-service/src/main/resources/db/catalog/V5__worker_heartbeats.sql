-- One row per worker process, upserted every few seconds (WORKER_HEARTBEAT_INTERVAL): the
-- dashboard and GET /api/workers show the workers seen lately as alive, with what they hold.
-- Rows not refreshed for an hour are deleted by the next worker's heartbeat.
CREATE SCHEMA IF NOT EXISTS worker;
CREATE TABLE worker.heartbeats (
    worker           text        PRIMARY KEY,           -- host (pod) name / pid, as items name it
    started_at       timestamptz NOT NULL,
    seen_at          timestamptz NOT NULL,
    operations       text[]      NOT NULL,              -- the operations it consumes
    in_flight_chunks integer     NOT NULL DEFAULT 0,    -- chunks in hand right now
    in_flight_items  integer     NOT NULL DEFAULT 0,    -- items in hand right now
    in_flight        jsonb       NOT NULL DEFAULT '{}', -- per operation: {"noop": {"chunks": 1, "items": 100}}
    batches          uuid[]      NOT NULL DEFAULT '{}', -- a few of the batches whose items it holds
    items_total      bigint      NOT NULL DEFAULT 0,    -- items handled since it started
    version          text
);
