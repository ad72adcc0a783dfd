-- Credit-based dispatch: a batch may have at most a window of items published and not yet
-- ended. In-flight = round_published - (succeeded + failed + cancelled + timed_out - round_ended_base):
-- round_published counts the items of the current round published so far (each once, even
-- when a crashed run publishes some again), round_ended_base is how many items had ended
-- when the round began (a retry round re-opens only the failed ones).
ALTER TABLE batches ADD COLUMN round_published integer NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN round_ended_base integer NOT NULL DEFAULT 0;
-- batches in flight during the upgrade: everything below the publish mark counts as published
UPDATE batches SET round_published = published_below WHERE round = 0 AND status IN ('pending', 'processing', 'stopping');
