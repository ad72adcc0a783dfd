-- Retry rounds: POST /retry puts a batch's failed items back to pending in a new round; a
-- result only counts for the round its item is in, so a late duplicate from an earlier
-- round can never complete a retried item.
ALTER TABLE batches ADD COLUMN round integer NOT NULL DEFAULT 0;
ALTER TABLE batch_items ADD COLUMN round integer NOT NULL DEFAULT 0;

-- the deadline scanner only looks at running batches that have one
CREATE INDEX batches_deadline ON batches (deadline) WHERE deadline IS NOT NULL AND status IN ('pending', 'processing');
