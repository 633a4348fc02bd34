DROP INDEX support_measures_stats_idx;
DROP INDEX demands_stats_idx;
DROP TRIGGER visits_last_visited_delete ON visits;
DROP TRIGGER visits_last_visited_update ON visits;
DROP TRIGGER visits_last_visited_insert ON visits;
DROP FUNCTION visits_recompute_last_visited();
DROP FUNCTION visits_raise_last_visited();
DROP INDEX enterprises_coverage_idx;
ALTER TABLE enterprises DROP COLUMN last_visited_on;
