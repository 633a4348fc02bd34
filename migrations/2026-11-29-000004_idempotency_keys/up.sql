-- Idempotency-Key: the first response to a key is kept 24 hours and replayed for retries.
CREATE TABLE idempotency_keys (
    actor            UUID NOT NULL,
    key              TEXT NOT NULL,
    -- SHA-256 of method, path, query and body: the same key with another request is a conflict.
    request_hash     BYTEA NOT NULL,
    -- Null while the first request is still running.
    status_code      INTEGER,
    response_headers JSONB,
    response_body    BYTEA,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (actor, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
