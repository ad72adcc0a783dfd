-- Crash visibility (seed 004): what the workers' activity notes say about unfinished items.
-- started_at/worker: who holds the item now and since when (only chunks that run longer than
-- the workers' announce delay are announced). crashes: deliveries its worker never finished
-- (the broker delivered it again); crashed_attempt makes a repeated note count once.
-- retry_code/retry_message: why the last attempt failed while the item waits for the next.
ALTER TABLE batch_items
    ADD COLUMN started_at      timestamptz,
    ADD COLUMN worker          text,
    ADD COLUMN running_attempt integer,
    ADD COLUMN crashes         integer NOT NULL DEFAULT 0,
    ADD COLUMN crashed_attempt integer,
    ADD COLUMN retry_code      text,
    ADD COLUMN retry_message   text;

-- items of the batch that crashed at least once, moved in the statement that records the crash
ALTER TABLE batches ADD COLUMN crashed_items integer NOT NULL DEFAULT 0;

-- seed 003's audit asks for the client's user agent beside its address
ALTER TABLE audit_log ADD COLUMN user_agent text;
