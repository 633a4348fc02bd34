DROP INDEX demands_closed_at_idx;
DROP INDEX demands_resolved_at_idx;
