-- Diagnosis (GET /api/batches/{id}/diagnosis): where an item waits for its next attempt.
-- A worker's RETRYING note names the delay tier it published the item to (retry_tier: '30s'
-- for batch.retry.30s) and when the tier hands it back (retry_due_at); STARTED and CRASHED
-- notes clear both (the item left the tier). Notes from older workers leave them NULL.
ALTER TABLE batch_items
    ADD COLUMN retry_tier   text,
    ADD COLUMN retry_due_at timestamptz;

-- The diagnosis reads only the pending items the workers said something about (running, in a
-- delay tier, crashed once): this partial index keeps that read proportional to those items,
-- not to the batch. The fast path pays nothing: an item that ends within WORKER_ANNOUNCE_AFTER
-- gets no note and never enters the index, and a terminal row leaves it. The price is on the
-- notes: their updates touch columns of the index's predicate, so they are no longer HOT.
CREATE INDEX batch_items_attention ON batch_items (batch_id)
    WHERE status = 'pending' AND (started_at IS NOT NULL OR retry_tier IS NOT NULL OR crashes > 0);
