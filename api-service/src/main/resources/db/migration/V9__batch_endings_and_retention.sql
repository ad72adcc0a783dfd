-- Every move of a batch into a terminal status, written by a trigger in the transaction that
-- makes the move, whichever statement makes it (the tracker's last result, a stop's end, any
-- path added later). API instances drain the rows with DELETE ... FOR UPDATE SKIP LOCKED
-- RETURNING into batch_operations_total and batch_processing_duration_seconds: a row is
-- deleted by exactly one committed transaction, so each ending is counted by one instance,
-- once. A retry round that ends again is a new ending and is counted again.
CREATE TABLE batch_endings (
    id        bigint           GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    batch_id  uuid             NOT NULL,
    operation text             NOT NULL,
    status    text             NOT NULL,
    -- completed_at - created_at: what the submitter waited, queueing included
    seconds   double precision NOT NULL,
    ended_at  timestamptz      NOT NULL DEFAULT now()
);

CREATE FUNCTION record_batch_ending() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO batch_endings (batch_id, operation, status, seconds)
    VALUES (NEW.id, NEW.operation, NEW.status,
            greatest(0, extract(epoch FROM coalesce(NEW.completed_at, now()) - NEW.created_at)));
    RETURN NULL;
END $$;

-- The terminal statuses are BatchStatus.isTerminal's (BatchEndingsIntegrationTests moves a
-- batch into every status and fails if the two ever disagree).
CREATE TRIGGER batches_ending AFTER UPDATE OF status ON batches
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
                       AND NEW.status IN ('completed', 'failed', 'cancelled', 'timed_out'))
    EXECUTE FUNCTION record_batch_ending();

-- Ended batches by when they ended: the retention job's scan, and the health endpoint's
-- window of recent endings. Small (one row per batch), so built in place.
CREATE INDEX batches_ended ON batches (completed_at)
    WHERE status IN ('completed', 'failed', 'cancelled', 'timed_out');

-- Batches removed (retention or an admin's delete) whose item rows are still to be deleted:
-- the batch row goes at once, in one short transaction with everything else that names it;
-- its items, possibly millions, follow in bounded statements, and survive a crash here.
CREATE TABLE removed_batch_items (
    batch_id   uuid        PRIMARY KEY,
    removed_at timestamptz NOT NULL DEFAULT now()
);

-- Retention prunes the audit entries of the batches it removes.
CREATE INDEX audit_log_by_target ON audit_log (target) WHERE target IS NOT NULL;
