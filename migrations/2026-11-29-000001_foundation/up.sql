-- Foundation: reference data, identities, tokens, login throttling, audit trail.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE departments (
    code       TEXT PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,31}$'),
    name       TEXT NOT NULL CHECK (btrim(name) <> ''),
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE regions (
    code        TEXT PRIMARY KEY CHECK (code ~ '^36[0-9]{4}$'),
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('city', 'county')),
    parent_code TEXT REFERENCES regions (code),
    CHECK ((level = 'city') = (parent_code IS NULL))
);
CREATE INDEX regions_parent_code_idx ON regions (parent_code);

CREATE TABLE categories (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    sort_order INTEGER NOT NULL
);

CREATE TABLE subcategories (
    category_code TEXT NOT NULL REFERENCES categories (code),
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    sort_order    INTEGER NOT NULL,
    PRIMARY KEY (category_code, code)
);

CREATE TABLE users (
    id            UUID PRIMARY KEY,
    username      TEXT NOT NULL,
    display_name  TEXT,
    password_hash TEXT NOT NULL,
    department    TEXT NOT NULL REFERENCES departments (code),
    roles         TEXT[] NOT NULL CHECK (
        cardinality(roles) > 0
        AND roles <@ ARRAY['admin', 'liaison', 'finance', 'analyst']::TEXT[]
    ),
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- Usernames are unique regardless of case; the list is sorted by username.
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE INDEX users_list_idx ON users (username, id);
CREATE INDEX users_department_idx ON users (department, username, id);

CREATE TABLE api_clients (
    id          UUID PRIMARY KEY,
    client_id   TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    secret_hash BYTEA NOT NULL,
    department  TEXT NOT NULL REFERENCES departments (code),
    roles       TEXT[] NOT NULL CHECK (
        cardinality(roles) > 0
        AND roles <@ ARRAY['admin', 'liaison', 'finance', 'analyst']::TEXT[]
    ),
    disabled    BOOLEAN NOT NULL DEFAULT FALSE,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX api_clients_list_idx ON api_clients (created_at, id);

-- Refresh tokens are stored as SHA-256 hashes. A family is one login: every rotation stays in it,
-- and presenting a used token revokes the whole family.
CREATE TABLE refresh_tokens (
    id          UUID PRIMARY KEY,
    token_hash  BYTEA NOT NULL UNIQUE,
    family_id   UUID NOT NULL,
    user_id     UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    issued_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ,
    revoked_at  TIMESTAMPTZ
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

-- Failed logins, kept in the database so throttling holds across replicas.
CREATE TABLE login_failures (
    id          BIGSERIAL PRIMARY KEY,
    username    TEXT,
    client_addr TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_username_idx ON login_failures (lower(username), at);
CREATE INDEX login_failures_addr_idx ON login_failures (client_addr, at);

-- The audit trail: append-only.
CREATE TABLE audit_events (
    id          UUID PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    actor       UUID,
    actor_kind  TEXT NOT NULL CHECK (actor_kind IN ('user', 'client', 'system')),
    department  TEXT,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    changes     JSONB NOT NULL DEFAULT '{}'::JSONB,
    request_id  TEXT
);
CREATE INDEX audit_events_at_idx ON audit_events (at, id);
CREATE INDEX audit_events_entity_idx ON audit_events (entity, entity_id, at, id);
CREATE INDEX audit_events_actor_idx ON audit_events (actor, at, id);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

-- Policies are seeded here; their API comes with the money-and-policy work.
CREATE TABLE policies (
    id                      UUID PRIMARY KEY,
    title                   TEXT NOT NULL,
    issuer                  TEXT NOT NULL,
    issued_on               DATE NOT NULL,
    document_no             TEXT,
    effective_from          DATE,
    effective_until         DATE,
    summary                 TEXT,
    benefit_kind            TEXT,
    responsible_departments TEXT[] NOT NULL DEFAULT '{}',
    categories              TEXT[] NOT NULL DEFAULT '{}',
    sizes                   TEXT[] NOT NULL DEFAULT '{}',
    region_codes            TEXT[] NOT NULL DEFAULT '{}',
    created_by              UUID,
    version                 INTEGER NOT NULL DEFAULT 1,
    created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at              TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX policies_document_no_key ON policies (document_no);
