DROP TRIGGER enterprises_status_to_last_visits ON enterprises;
DROP FUNCTION enterprises_copy_status();
DROP TRIGGER visits_last_visit_delete ON visits;
DROP TRIGGER visits_last_visit_update ON visits;
DROP TRIGGER visits_last_visit_insert ON visits;
DROP FUNCTION visits_recompute_after_delete();
DROP FUNCTION visits_recompute_after_update();
DROP FUNCTION recompute_last_visits(uuid[]);
DROP FUNCTION visits_raise_last_visit();

ALTER TABLE enterprises ADD COLUMN last_visited_on date;
UPDATE enterprises e SET last_visited_on = l.last_visited_on
FROM enterprise_last_visits l WHERE l.enterprise_id = e.id;
CREATE INDEX enterprises_coverage_idx ON enterprises (status, last_visited_on);

CREATE FUNCTION visits_raise_last_visited() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE enterprises e SET last_visited_on = n.last
    FROM (SELECT enterprise_id, max(visited_on) AS last FROM new_visits GROUP BY enterprise_id) n
    WHERE e.id = n.enterprise_id
      AND (e.last_visited_on IS NULL OR e.last_visited_on < n.last);
    RETURN NULL;
END $$;

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

DROP TABLE enterprise_last_visits;
