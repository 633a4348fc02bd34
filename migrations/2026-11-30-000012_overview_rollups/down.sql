DROP FUNCTION compact_overview_rollups(date);
-- Dropping a rollup table does not drop the triggers on its source table: those go with their
-- functions.
DROP FUNCTION support_totals_collect(), enterprise_tallies_collect(), visit_day_tallies_collect(),
    last_visit_tallies_collect(), demand_tallies_collect() CASCADE;
DROP FUNCTION rollup_truncated() CASCADE;
DROP TABLE support_totals, enterprise_tallies, visit_day_tallies, last_visit_tallies,
    demand_tallies;
