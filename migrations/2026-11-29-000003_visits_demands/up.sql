-- Tracked service: visits (走访记录), demands (企业诉求) and the demands' events.

CREATE TABLE visits (
    id            UUID PRIMARY KEY,
    enterprise_id UUID NOT NULL REFERENCES enterprises (id),
    department    TEXT NOT NULL REFERENCES departments (code),
    visited_on    DATE NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('on_site', 'phone', 'video', 'meeting')),
    officers      UUID[] NOT NULL CHECK (cardinality(officers) > 0),
    summary       TEXT NOT NULL CHECK (btrim(summary) <> ''),
    participants  TEXT,
    purpose       TEXT,
    findings      TEXT,
    next_visit_on DATE,
    created_by    UUID,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- Newest first, overall, per enterprise (also the timeline), per department; officers by GIN.
CREATE INDEX visits_visited_idx ON visits (visited_on DESC, id DESC);
CREATE INDEX visits_enterprise_idx ON visits (enterprise_id, visited_on DESC, id DESC);
CREATE INDEX visits_department_idx ON visits (department, visited_on DESC, id DESC);
CREATE INDEX visits_kind_idx ON visits (kind, visited_on DESC, id DESC);
CREATE INDEX visits_officers_idx ON visits USING GIN (officers);

CREATE TABLE demands (
    id                  UUID PRIMARY KEY,
    enterprise_id       UUID NOT NULL REFERENCES enterprises (id),
    visit_id            UUID REFERENCES visits (id) ON DELETE SET NULL,
    category            TEXT NOT NULL CHECK (category IN ('financing', 'land', 'talent', 'market',
                            'technology', 'policy', 'permits', 'infrastructure', 'other')),
    title               TEXT NOT NULL CHECK (btrim(title) <> ''),
    description         TEXT,
    assigned_department TEXT NOT NULL REFERENCES departments (code),
    due_on              DATE,
    status              TEXT NOT NULL DEFAULT 'open'
                        CHECK (status IN ('open', 'accepted', 'resolved', 'closed', 'rejected')),
    resolution          TEXT,
    satisfaction        TEXT CHECK (satisfaction IN ('satisfied', 'unsatisfied')),
    created_by          UUID,
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX demands_created_idx ON demands (created_at DESC, id DESC);
CREATE INDEX demands_enterprise_idx ON demands (enterprise_id, created_at DESC, id DESC);
CREATE INDEX demands_department_idx ON demands (assigned_department, status, created_at DESC, id DESC);
CREATE INDEX demands_status_idx ON demands (status, created_at DESC, id DESC);
CREATE INDEX demands_category_idx ON demands (category, created_at DESC, id DESC);
-- Overdue: open or accepted with a due date before today.
CREATE INDEX demands_overdue_idx ON demands (due_on) WHERE status IN ('open', 'accepted');
CREATE INDEX demands_visit_idx ON demands (visit_id);

CREATE TABLE demand_events (
    id                  UUID PRIMARY KEY,
    demand_id           UUID NOT NULL REFERENCES demands (id),
    -- Copied from the demand so that the enterprise timeline is one index range.
    enterprise_id       UUID NOT NULL REFERENCES enterprises (id),
    at                  TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    actor               UUID,
    from_status         TEXT,
    to_status           TEXT NOT NULL,
    note                TEXT,
    assigned_department TEXT,
    satisfaction        TEXT
);
CREATE INDEX demand_events_demand_idx ON demand_events (demand_id, at, id);
CREATE INDEX demand_events_enterprise_idx ON demand_events (enterprise_id, at DESC, id DESC);
