-- One state machine per entity. A stop no longer ends a batch at once: it moves it to
-- 'stopping', and the batch takes the stop's terminal status (stop_status) only once none of
-- its items is in flight, so the counts of a terminal batch are final.
ALTER TABLE batches DROP CONSTRAINT batches_status_check;
ALTER TABLE batches ADD CONSTRAINT batches_status_check
    CHECK (status IN ('pending', 'processing', 'stopping', 'completed', 'failed', 'cancelled', 'timed_out'));
ALTER TABLE batches ADD COLUMN stop_status text CHECK (stop_status IN ('failed', 'cancelled', 'timed_out'));
ALTER TABLE batches ADD CONSTRAINT batches_stopping_has_target CHECK (status <> 'stopping' OR stop_status IS NOT NULL);

-- Items with seq >= published_below were never published in the current round: the
-- dispatcher stores it before it publishes a chunk, so a stop can end those items at once
-- and must wait only for the ones that may be in the broker.
ALTER TABLE batches ADD COLUMN published_below integer NOT NULL DEFAULT 0;
-- a batch caught mid-dispatch by the upgrade may have published past its watermark without
-- saying so: count all of it as maybe published (a stop then waits for it, never ends it early)
UPDATE batches SET published_below = CASE WHEN status IN ('pending', 'processing') THEN total ELSE dispatched END;

-- When a result was last recorded or a chunk last dispatched: the stuck-item sweep only
-- looks at batches that have made no progress for a while.
ALTER TABLE batches ADD COLUMN last_progress_at timestamptz;
-- Items the sweep had to re-dispatch (a healthy system never needs it).
ALTER TABLE batches ADD COLUMN reconciled_items integer NOT NULL DEFAULT 0;

DROP INDEX batches_undispatched;
CREATE INDEX batches_undispatched ON batches (created_at)
    WHERE dispatched < total AND status IN ('pending', 'processing', 'stopping');
CREATE INDEX batches_active ON batches (last_progress_at) WHERE status IN ('processing', 'stopping');

-- The allowed status moves, the same as BatchStatus.canMoveTo and ItemStatus.canMoveTo in
-- common-model (StatusTransitionsIntegrationTests fails if the two ever disagree). The
-- triggers below refuse every other move, whichever statement tries it.
CREATE TABLE status_transitions (
    entity      text NOT NULL CHECK (entity IN ('batch', 'item')),
    from_status text NOT NULL,
    to_status   text NOT NULL,
    PRIMARY KEY (entity, from_status, to_status)
);
INSERT INTO status_transitions (entity, from_status, to_status) VALUES
    ('batch', 'pending', 'processing'), ('batch', 'pending', 'stopping'), ('batch', 'pending', 'completed'),
    ('batch', 'processing', 'completed'), ('batch', 'processing', 'stopping'),
    ('batch', 'stopping', 'cancelled'), ('batch', 'stopping', 'failed'), ('batch', 'stopping', 'timed_out'),
    -- the explicit retry round
    ('batch', 'completed', 'processing'), ('batch', 'failed', 'processing'),
    ('batch', 'cancelled', 'processing'), ('batch', 'timed_out', 'processing'),
    ('item', 'pending', 'succeeded'), ('item', 'pending', 'failed'),
    ('item', 'pending', 'cancelled'), ('item', 'pending', 'timed_out'),
    ('item', 'failed', 'pending');

CREATE FUNCTION refuse_illegal_status_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM status_transitions
                    WHERE entity = TG_ARGV[0] AND from_status = OLD.status AND to_status = NEW.status) THEN
        RAISE EXCEPTION 'illegal % status move % -> %', TG_ARGV[0], OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER batches_status_guard BEFORE UPDATE OF status ON batches
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION refuse_illegal_status_move('batch');
CREATE TRIGGER batch_items_status_guard BEFORE UPDATE OF status ON batch_items
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION refuse_illegal_status_move('item');
