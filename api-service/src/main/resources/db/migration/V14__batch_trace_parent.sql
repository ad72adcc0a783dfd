-- The W3C trace context of the request that submitted the batch: dispatch runs (of every
-- retry round, on any API instance) continue that trace, so one trace follows the batch's
-- items from the request through the workers to the tracker. Null when tracing is off.
ALTER TABLE batches ADD COLUMN trace_parent text;
