ALTER TABLE demand_events DROP CONSTRAINT demand_events_kind_check;
DELETE FROM demand_events WHERE kind = 'escalated';
ALTER TABLE demand_events
    ADD CONSTRAINT demand_events_kind_check CHECK (kind IN ('created', 'transition',
        'reassigned', 'returned', 'progress', 'extension_requested', 'extension_decided', 'urged',
        'follow_up'));
ALTER TABLE enterprises DROP COLUMN unvisited_noticed_for;
DROP INDEX demands_open_due_idx;
DROP INDEX demands_escalated_department_idx;
DROP INDEX demands_escalated_idx;
ALTER TABLE demands DROP COLUMN overdue_noticed_for, DROP COLUMN escalation_level,
    DROP COLUMN escalated_at;
DROP FUNCTION emit_event;
ALTER TABLE audit_events DROP COLUMN event_seq;
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
DROP TABLE events;
