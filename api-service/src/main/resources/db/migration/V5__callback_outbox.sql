-- Completion callbacks as an outbox: the row is written in the transaction that ends the
-- batch, so a crash between "batch ended" and "callback sent" cannot lose the callback.
CREATE TABLE callback_outbox (
    batch_id        uuid        PRIMARY KEY,
    url             text        NOT NULL,
    tenant          text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    attempts        integer     NOT NULL DEFAULT 0,
    last_status     integer,
    last_error      text,
    delivered_at    timestamptz,
    gave_up_at      timestamptz
);
CREATE INDEX callback_outbox_due ON callback_outbox (next_attempt_at) WHERE delivered_at IS NULL AND gave_up_at IS NULL;
