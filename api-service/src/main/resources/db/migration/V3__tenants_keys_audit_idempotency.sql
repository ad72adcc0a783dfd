-- Tenants (the seeds' "creator") and their API keys. Keys are random 190-bit tokens, so a
-- SHA-256 of the key is enough to store: nothing to brute-force, and one fast lookup per request.
CREATE TABLE tenants (
    id             text        PRIMARY KEY,
    -- signs this tenant's completion callbacks (HMAC-SHA256)
    signing_secret text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
    id          uuid        PRIMARY KEY,
    tenant      text        NOT NULL REFERENCES tenants (id),
    role        text        NOT NULL CHECK (role IN ('submitter', 'admin')),
    key_hash    bytea       NOT NULL UNIQUE,
    key_prefix  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  uuid,
    revoked_at  timestamptz
);
CREATE INDEX api_keys_by_tenant ON api_keys (tenant, created_at DESC);

-- Who did what, when, from where: submissions, cancels, retries, key changes.
CREATE TABLE audit_log (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT now(),
    tenant         text        NOT NULL,
    key_id         uuid,
    action         text        NOT NULL,
    target         text,
    remote_address text,
    details        jsonb
);
CREATE INDEX audit_log_by_tenant ON audit_log (tenant, id DESC);

-- Idempotency-Key of POST /api/batches: the first submission with a key wins; a repeat with
-- the same body gets the same batch, a repeat with another body is refused.
CREATE TABLE idempotency_keys (
    tenant       text        NOT NULL,
    key          text        NOT NULL,
    request_hash bytea       NOT NULL,
    batch_id     uuid        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
