-- Sessions of the operator console (/ui): an API key exchanged at sign-in for a random
-- session token kept in an HttpOnly cookie. Only the token's SHA-256 is stored; revoking the
-- key ends its sessions (they are joined with api_keys on every request). csrf is the token
-- every state-changing request of the page must echo.
CREATE TABLE console_sessions (
    token_hash bytea       PRIMARY KEY,
    key_id     uuid        NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    csrf       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
