-- Every delivery attempt of a completion callback, shown on the batch.
CREATE TABLE callback_attempts (
    batch_id   uuid        NOT NULL,
    attempt    integer     NOT NULL,
    at         timestamptz NOT NULL DEFAULT now(),
    status     integer,
    error      text,
    PRIMARY KEY (batch_id, attempt)
);
