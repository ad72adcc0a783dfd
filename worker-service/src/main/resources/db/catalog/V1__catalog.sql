-- The reference domain the built-in operations act on (the seeds' contents and users).
CREATE TABLE content (
    id         text           PRIMARY KEY,
    creator    text,
    title      text,
    price      numeric(21, 6) NOT NULL DEFAULT 0 CHECK (price >= 0),
    updated_at timestamptz    NOT NULL DEFAULT now()
);
CREATE INDEX content_by_creator ON content (creator);

CREATE TABLE users (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    email         text        NOT NULL,
    name          text        NOT NULL,
    password_hash text        NOT NULL,
    -- <batchId>:<seq> of the item that created the row: a redelivered create recognises its own row
    source_item   text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz,
    deleted_at    timestamptz
);
CREATE UNIQUE INDEX users_live_email ON users (lower(email)) WHERE deleted_at IS NULL;
