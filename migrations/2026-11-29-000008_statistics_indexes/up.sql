-- What the statistics read, so that they are served from indexes at provincial scale.

-- The last visit of each enterprise, kept by statement-level triggers on visits (a COPY of a
-- million visits fires them once): visit coverage counts it from an index instead of joining
-- the visits of the window.
ALTER TABLE enterprises ADD COLUMN last_visited_on DATE;
UPDATE enterprises e SET last_visited_on = v.last
FROM (SELECT enterprise_id, max(visited_on) AS last FROM visits GROUP BY enterprise_id) v
WHERE v.enterprise_id = e.id;
CREATE INDEX enterprises_coverage_idx ON enterprises (status, last_visited_on);

CREATE FUNCTION visits_raise_last_visited() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE enterprises e SET last_visited_on = n.last
    FROM (SELECT enterprise_id, max(visited_on) AS last FROM new_visits GROUP BY enterprise_id) n
    WHERE e.id = n.enterprise_id
      AND (e.last_visited_on IS NULL OR e.last_visited_on < n.last);
    RETURN NULL;
END $$;

-- An edited or deleted visit may have been the last one: recompute.
CREATE FUNCTION visits_recompute_last_visited() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE enterprises e
    SET last_visited_on = (SELECT max(v.visited_on) FROM visits v WHERE v.enterprise_id = e.id)
    WHERE e.id IN (SELECT DISTINCT enterprise_id FROM old_visits);
    RETURN NULL;
END $$;

CREATE TRIGGER visits_last_visited_insert AFTER INSERT ON visits
    REFERENCING NEW TABLE AS new_visits
    FOR EACH STATEMENT EXECUTE FUNCTION visits_raise_last_visited();
CREATE TRIGGER visits_last_visited_update AFTER UPDATE ON visits
    REFERENCING OLD TABLE AS old_visits
    FOR EACH STATEMENT EXECUTE FUNCTION visits_recompute_last_visited();
CREATE TRIGGER visits_last_visited_delete AFTER DELETE ON visits
    REFERENCING OLD TABLE AS old_visits
    FOR EACH STATEMENT EXECUTE FUNCTION visits_recompute_last_visited();

-- Demand counts by department and status, with the due date for "overdue": index-only.
CREATE INDEX demands_stats_idx ON demands (assigned_department, status, due_on);

-- Money per department and fiscal year: index-only.
CREATE INDEX support_measures_stats_idx ON support_measures (department, fiscal_year, status)
    INCLUDE (amount, disbursed_amount);

-- The enterprise list filtered by category (the most common filter) in name order.
CREATE INDEX enterprises_category_name_idx ON enterprises (category, name, id);
