DROP TABLE demand_follow_ups;
DROP TABLE demand_extensions;
DROP TABLE calendar_days;
DROP TABLE demand_time_limits;
ALTER TABLE demand_events DROP COLUMN kind;
DROP INDEX demands_title_trgm_idx;
DROP INDEX demands_updated_idx;
DROP INDEX demands_due_idx;
DROP INDEX demands_co_departments_idx;
DROP INDEX demands_raised_by_idx;
ALTER TABLE demands
    DROP COLUMN follow_ups, DROP COLUMN urges, DROP COLUMN closed_at, DROP COLUMN resolved_at,
    DROP COLUMN accepted_at, DROP COLUMN urgency, DROP COLUMN co_departments,
    DROP COLUMN raising_department, DROP COLUMN raised_by;
UPDATE demands SET satisfaction = 'satisfied' WHERE satisfaction = 'basically_satisfied';
ALTER TABLE demands DROP CONSTRAINT demands_satisfaction_check;
ALTER TABLE demands ADD CONSTRAINT demands_satisfaction_check
    CHECK (satisfaction IN ('satisfied', 'unsatisfied'));
UPDATE demands SET status = 'open' WHERE status = 'returned';
ALTER TABLE demands DROP CONSTRAINT demands_status_check;
ALTER TABLE demands ADD CONSTRAINT demands_status_check
    CHECK (status IN ('open', 'accepted', 'resolved', 'closed', 'rejected'));
