-- Events (事件): one row per changed resource per write, written in the same transaction as
-- the change and its audit record. `txid` is the writing transaction: a reader of the feed
-- stops before the oldest transaction still in flight, so that an event committing late is
-- never skipped (see src/domain/events/feed.rs). The feed's order is (txid, seq).
CREATE TABLE events (
    txid            BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    seq             BIGINT GENERATED ALWAYS AS IDENTITY,
    type            TEXT NOT NULL,
    occurred_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    actor_id        UUID,
    actor_kind      TEXT,
    department      TEXT,
    enterprise_id   UUID,
    subject_type    TEXT NOT NULL,
    subject_id      TEXT NOT NULL,
    data            JSONB NOT NULL,
    transition_from TEXT,
    transition_to   TEXT,
    PRIMARY KEY (txid, seq)
);
CREATE INDEX events_enterprise_idx ON events (enterprise_id, txid, seq)
    WHERE enterprise_id IS NOT NULL;
CREATE INDEX events_department_idx ON events (department, txid, seq)
    WHERE department IS NOT NULL;

-- Webhooks (推送): subscriptions, and one delivery per event and matching subscription.
CREATE TABLE webhooks (
    id                     UUID PRIMARY KEY,
    url                    TEXT NOT NULL CHECK (length(url) <= 2000),
    event_types            TEXT[] NOT NULL,
    departments            TEXT[] NOT NULL DEFAULT '{}',
    description            TEXT CHECK (length(description) <= 500),
    active                 BOOLEAN NOT NULL DEFAULT true,
    secret                 TEXT NOT NULL,
    -- After a rotation the old secret signs too, until previous_secret_until.
    previous_secret        TEXT,
    previous_secret_until  TIMESTAMPTZ,
    -- The first failure since the last success: three days of failures deactivate.
    failing_since          TIMESTAMPTZ,
    created_by             UUID,
    created_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    version                INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE webhook_deliveries (
    id               UUID PRIMARY KEY,
    webhook_id       UUID NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_txid       BIGINT NOT NULL,
    event_seq        BIGINT NOT NULL,
    event_type       TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'delivered', 'failed', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_status_code INTEGER,
    last_error       TEXT,
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- A replica that claimed the delivery holds it until then; a crashed one's lease lapses.
    lease_until      TIMESTAMPTZ,
    delivered_at     TIMESTAMPTZ,
    -- Retries stop 24 hours after this (the creation, or a manual retry).
    window_from      TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    FOREIGN KEY (event_txid, event_seq) REFERENCES events (txid, seq),
    UNIQUE (webhook_id, event_txid, event_seq)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
    WHERE status IN ('pending', 'failed');
CREATE INDEX webhook_deliveries_list_idx
    ON webhook_deliveries (webhook_id, created_at DESC, id DESC);

-- Supervision (督办): escalation, and what has been announced once.
ALTER TABLE demands
    ADD COLUMN escalated_at TIMESTAMPTZ,
    ADD COLUMN escalation_level SMALLINT CHECK (escalation_level IN (1, 2)),
    -- The due date `demand.overdue` was emitted for (a new due date may lapse again).
    ADD COLUMN overdue_noticed_for DATE;
CREATE INDEX demands_escalated_idx ON demands (created_at DESC, id DESC)
    WHERE escalation_level IS NOT NULL AND status IN ('open', 'accepted');
CREATE INDEX demands_escalated_department_idx ON demands (assigned_department)
    WHERE escalation_level IS NOT NULL AND status IN ('open', 'accepted');
-- Supervision looks for open demands past their due date.
CREATE INDEX demands_open_due_idx ON demands (due_on)
    WHERE status IN ('open', 'accepted') AND due_on IS NOT NULL;

ALTER TABLE enterprises
    -- The last visit (or, never visited, the designation) `enterprise.unvisited` was emitted
    -- after: one event per lapse.
    ADD COLUMN unvisited_noticed_for DATE;

ALTER TABLE demand_events DROP CONSTRAINT demand_events_kind_check;
ALTER TABLE demand_events
    ADD CONSTRAINT demand_events_kind_check CHECK (kind IN ('created', 'transition',
        'reassigned', 'returned', 'progress', 'extension_requested', 'extension_decided', 'urged',
        'follow_up', 'escalated'));

-- An audited change's event (its seq), written by the same statement as the audit record.
ALTER TABLE audit_events ADD COLUMN event_seq BIGINT;

-- Writes an event and queues one delivery per active webhook whose types and departments match
-- it; returns the event's seq. A record with no department of its own belongs to its
-- enterprise's lead department. PL/pgSQL keeps the statement's plan between calls.
CREATE FUNCTION emit_event(p_type TEXT, p_actor_id UUID, p_actor_kind TEXT, p_department TEXT,
                           p_enterprise_id UUID, p_subject_type TEXT, p_subject_id TEXT,
                           p_data JSONB, p_from TEXT, p_to TEXT)
RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
    written events%ROWTYPE;
BEGIN
    INSERT INTO events (type, actor_id, actor_kind, department, enterprise_id, subject_type,
                        subject_id, data, transition_from, transition_to)
    VALUES (p_type, p_actor_id, p_actor_kind,
            COALESCE(p_department,
                     (SELECT lead_department FROM enterprises WHERE id = p_enterprise_id)),
            p_enterprise_id, p_subject_type, p_subject_id, p_data, p_from, p_to)
    RETURNING * INTO written;
    INSERT INTO webhook_deliveries (id, webhook_id, event_txid, event_seq, event_type)
    SELECT gen_random_uuid(), w.id, written.txid, written.seq, written.type
    FROM webhooks w
    WHERE w.active
      AND (w.event_types @> ARRAY['*'] OR written.type = ANY (w.event_types))
      AND (w.departments = '{}' OR written.department = ANY (w.departments));
    RETURN written.seq;
END $$;
