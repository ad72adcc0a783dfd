-- Batches and their items. Counters on the batch row are moved by the tracker in the same
-- transaction that records item results, so they always equal count(*) per status.
CREATE TABLE batches (
    id                   uuid        PRIMARY KEY,
    creator              text        NOT NULL,
    operation            text        NOT NULL,
    options              jsonb       NOT NULL DEFAULT '{}'::jsonb,
    metadata             jsonb,
    status               text        NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'cancelled', 'timed_out')),
    status_reason        text,
    total                integer     NOT NULL CHECK (total > 0),
    succeeded            integer     NOT NULL DEFAULT 0,
    failed               integer     NOT NULL DEFAULT 0,
    cancelled            integer     NOT NULL DEFAULT 0,
    timed_out            integer     NOT NULL DEFAULT 0,
    -- items with seq < dispatched are confirmed by the broker
    dispatched           integer     NOT NULL DEFAULT 0,
    dispatch_owner       text,
    dispatch_lease_until timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    started_at           timestamptz,
    completed_at         timestamptz,
    deadline             timestamptz,
    CHECK (succeeded + failed + cancelled + timed_out <= total)
);

-- keyset pagination: newest first, id breaks ties
CREATE INDEX batches_by_creator ON batches (creator, created_at DESC, id DESC);
CREATE INDEX batches_by_status ON batches (status, created_at DESC, id DESC);
CREATE INDEX batches_by_created ON batches (created_at DESC, id DESC);
-- the dispatcher's recovery scan only looks at batches still being dispatched
CREATE INDEX batches_undispatched ON batches (created_at) WHERE dispatched < total AND status IN ('pending', 'processing');

-- No foreign key to batches: items are COPYed in the same transaction as their batch row,
-- and a per-row RI trigger would cost more than the whole COPY.
CREATE TABLE batch_items (
    batch_id      uuid        NOT NULL,
    seq           integer     NOT NULL,
    item_key      text,
    payload       jsonb       NOT NULL,
    status        text        NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'succeeded', 'failed', 'cancelled', 'timed_out')),
    attempts      integer     NOT NULL DEFAULT 0,
    result        jsonb,
    error_code    text,
    error_message text,
    finished_at   timestamptz,
    PRIMARY KEY (batch_id, seq)
) WITH (fillfactor = 85);

-- GET /items?status=...: keyset on seq within one status
CREATE INDEX batch_items_by_status ON batch_items (batch_id, status, seq);
