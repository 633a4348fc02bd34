-- Tracked policy benefits (政策兑现): does a policy really reach the enterprise?

CREATE TABLE policy_benefits (
    id                     UUID PRIMARY KEY,
    enterprise_id          UUID NOT NULL REFERENCES enterprises (id),
    policy_id              UUID NOT NULL REFERENCES policies (id),
    responsible_department TEXT NOT NULL REFERENCES departments (code),
    status                 TEXT NOT NULL DEFAULT 'identified'
                           CHECK (status IN ('identified', 'applied', 'approved', 'realized', 'rejected', 'withdrawn')),
    expected_amount        NUMERIC(14, 2) CHECK (expected_amount >= 0),
    realized_amount        NUMERIC(14, 2) CHECK (realized_amount >= 0),
    realized_on            DATE,
    notes                  TEXT,
    created_by             UUID,
    version                INTEGER NOT NULL DEFAULT 1,
    created_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (status <> 'realized' OR (realized_amount IS NOT NULL AND realized_on IS NOT NULL))
);
-- One open benefit per enterprise and policy.
CREATE UNIQUE INDEX policy_benefits_open_key ON policy_benefits (enterprise_id, policy_id)
    WHERE status IN ('identified', 'applied', 'approved');
CREATE INDEX policy_benefits_created_idx ON policy_benefits (created_at DESC, id DESC);
CREATE INDEX policy_benefits_enterprise_idx ON policy_benefits (enterprise_id, created_at DESC, id DESC);
CREATE INDEX policy_benefits_department_idx ON policy_benefits (responsible_department, status, created_at DESC, id DESC);
CREATE INDEX policy_benefits_policy_idx ON policy_benefits (policy_id, created_at DESC, id DESC);
CREATE INDEX policy_benefits_status_idx ON policy_benefits (status, created_at DESC, id DESC);

CREATE TABLE benefit_events (
    id              UUID PRIMARY KEY,
    benefit_id      UUID NOT NULL REFERENCES policy_benefits (id),
    enterprise_id   UUID NOT NULL REFERENCES enterprises (id),
    at              TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    actor           UUID,
    from_status     TEXT,
    to_status       TEXT NOT NULL,
    note            TEXT,
    realized_amount NUMERIC(14, 2),
    realized_on     DATE
);
CREATE INDEX benefit_events_benefit_idx ON benefit_events (benefit_id, at, id);
CREATE INDEX benefit_events_enterprise_idx ON benefit_events (enterprise_id, at DESC, id DESC);
