-- The follow-up loop as practice runs it (督办闭环): who raised a demand and for which side,
-- co-handling departments, urgency, the moments it was signed for, resolved and closed, 退回,
-- deadline extensions, 催办 and every 回访 kept.

ALTER TABLE demands DROP CONSTRAINT demands_status_check;
ALTER TABLE demands ADD CONSTRAINT demands_status_check
    CHECK (status IN ('open', 'accepted', 'resolved', 'closed', 'rejected', 'returned'));
ALTER TABLE demands DROP CONSTRAINT demands_satisfaction_check;
ALTER TABLE demands ADD CONSTRAINT demands_satisfaction_check
    CHECK (satisfaction IN ('satisfied', 'basically_satisfied', 'unsatisfied'));

ALTER TABLE demands
    ADD COLUMN raised_by UUID REFERENCES users (id),
    ADD COLUMN raising_department TEXT REFERENCES departments (code),
    ADD COLUMN co_departments TEXT[] NOT NULL DEFAULT '{}'
        CHECK (array_position(co_departments, NULL) IS NULL AND cardinality(co_departments) <= 10),
    ADD COLUMN urgency TEXT NOT NULL DEFAULT 'normal' CHECK (urgency IN ('normal', 'urgent')),
    ADD COLUMN accepted_at TIMESTAMPTZ,
    ADD COLUMN resolved_at TIMESTAMPTZ,
    ADD COLUMN closed_at TIMESTAMPTZ,
    ADD COLUMN urges INTEGER NOT NULL DEFAULT 0 CHECK (urges >= 0),
    ADD COLUMN follow_ups INTEGER NOT NULL DEFAULT 0 CHECK (follow_ups >= 0);

-- What the history already says: the raising user and side, and when each step first happened.
UPDATE demands d SET
    raised_by = u.id,
    raising_department = u.department
FROM users u WHERE u.id = d.created_by;
UPDATE demands SET raising_department = assigned_department WHERE raising_department IS NULL;
ALTER TABLE demands ALTER COLUMN raising_department SET NOT NULL;
UPDATE demands d SET
    accepted_at = (SELECT min(at) FROM demand_events e WHERE e.demand_id = d.id AND e.to_status = 'accepted'),
    resolved_at = (SELECT max(at) FROM demand_events e WHERE e.demand_id = d.id AND e.to_status = 'resolved'),
    closed_at = (SELECT max(at) FROM demand_events e WHERE e.demand_id = d.id AND e.to_status = 'closed'),
    follow_ups = (SELECT count(*) FROM demand_events e WHERE e.demand_id = d.id AND e.satisfaction IS NOT NULL);

-- Lists by who raised, by co-department, by due date and by last change.
CREATE INDEX demands_raised_by_idx ON demands (raised_by, created_at DESC, id DESC);
CREATE INDEX demands_co_departments_idx ON demands USING GIN (co_departments)
    WITH (fastupdate = off);
CREATE INDEX demands_due_idx ON demands (due_on, id);
CREATE INDEX demands_updated_idx ON demands (updated_at DESC, id DESC);
CREATE INDEX demands_title_trgm_idx ON demands USING GIN (title gin_trgm_ops)
    WITH (fastupdate = off);

-- What an event records: a move, a progress note, an extension asked or decided, an urge, a
-- follow-up. Events that are not moves keep the status (from = to).
ALTER TABLE demand_events
    ADD COLUMN kind TEXT NOT NULL DEFAULT 'transition' CHECK (kind IN ('created', 'transition',
        'reassigned', 'returned', 'progress', 'extension_requested', 'extension_decided', 'urged',
        'follow_up'));
UPDATE demand_events SET kind = 'created' WHERE from_status IS NULL;

-- Time limits (限时办结) in working days, by category and urgency.
CREATE TABLE demand_time_limits (
    category     TEXT NOT NULL CHECK (category IN ('financing', 'land', 'talent', 'market',
                     'technology', 'policy', 'permits', 'infrastructure', 'other')),
    urgency      TEXT NOT NULL CHECK (urgency IN ('normal', 'urgent')),
    working_days INTEGER NOT NULL CHECK (working_days BETWEEN 1 AND 365),
    version      INTEGER NOT NULL DEFAULT 1,
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (category, urgency)
);

-- The State Council's holiday calendar: days off that fall on weekdays or weekends (holiday) and
-- weekend days worked instead (workday). A day not listed is a working day from Monday to Friday.
CREATE TABLE calendar_days (
    day  DATE PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday'))
);

-- Deadline extensions (延期): asked by the assigned department, decided by a supervisor.
CREATE TABLE demand_extensions (
    id            UUID PRIMARY KEY,
    demand_id     UUID NOT NULL REFERENCES demands (id),
    requested_by  UUID NOT NULL,
    requested_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    new_due_on    DATE NOT NULL,
    reason        TEXT NOT NULL CHECK (btrim(reason) <> ''),
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by    UUID,
    decided_at    TIMESTAMPTZ,
    decision_note TEXT
);
CREATE INDEX demand_extensions_demand_idx ON demand_extensions (demand_id, requested_at, id);
-- One pending request at a time.
CREATE UNIQUE INDEX demand_extensions_pending_key ON demand_extensions (demand_id)
    WHERE status = 'pending';

-- Follow-ups (回访): every one kept.
CREATE TABLE demand_follow_ups (
    id           UUID PRIMARY KEY,
    demand_id    UUID NOT NULL REFERENCES demands (id),
    enterprise_id UUID NOT NULL REFERENCES enterprises (id),
    by_user      UUID NOT NULL,
    department   TEXT NOT NULL REFERENCES departments (code),
    at           TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    method       TEXT NOT NULL CHECK (method IN ('phone', 'visit', 'online')),
    contact_id   UUID REFERENCES enterprise_contacts (id) ON DELETE SET NULL,
    rating       TEXT NOT NULL CHECK (rating IN ('satisfied', 'basically_satisfied', 'unsatisfied')),
    comment      TEXT
);
CREATE INDEX demand_follow_ups_demand_idx ON demand_follow_ups (demand_id, at, id);
CREATE INDEX demand_follow_ups_at_idx ON demand_follow_ups (at, id);

-- The follow-ups already in the history (closing transitions with a satisfaction).
INSERT INTO demand_follow_ups (id, demand_id, enterprise_id, by_user, department, at, method, rating)
SELECT e.id, e.demand_id, e.enterprise_id, e.actor, COALESCE(u.department, d.raising_department),
       e.at, 'phone', e.satisfaction
FROM demand_events e
JOIN demands d ON d.id = e.demand_id
LEFT JOIN users u ON u.id = e.actor
WHERE e.satisfaction IS NOT NULL AND e.actor IS NOT NULL;
