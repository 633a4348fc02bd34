-- Each enterprise's last visit moves out of the enterprise row into a narrow table of its own.
-- On enterprises, the first visit of a day wrote a new version of the wide row, and so an entry
-- in each of its fifteen indexes, three of them GIN over name and credit code. At 1,000,000
-- enterprises a visit with two demands ran at 315 req/s. Here it is one small row with two
-- small indexes. The enterprise's status is copied alongside, so that visit coverage ("active
-- enterprises visited in the window") stays one index-only count.
CREATE TABLE enterprise_last_visits (
    enterprise_id uuid PRIMARY KEY REFERENCES enterprises (id) ON DELETE CASCADE,
    status text NOT NULL,
    last_visited_on date NOT NULL
);
CREATE INDEX enterprise_last_visits_coverage_idx
    ON enterprise_last_visits (status, last_visited_on);

INSERT INTO enterprise_last_visits (enterprise_id, status, last_visited_on)
SELECT id, status, last_visited_on FROM enterprises WHERE last_visited_on IS NOT NULL;

DROP TRIGGER visits_last_visited_delete ON visits;
DROP TRIGGER visits_last_visited_update ON visits;
DROP TRIGGER visits_last_visited_insert ON visits;
DROP FUNCTION visits_recompute_last_visited();
DROP FUNCTION visits_raise_last_visited();
DROP INDEX enterprises_coverage_idx;
ALTER TABLE enterprises DROP COLUMN last_visited_on;

-- New visits can only move the last visit later. An enterprise's first visit adds its row; the
-- enterprise is then read FOR SHARE, in id order, so that a status change being made at the same
-- time is either seen or waits for this transaction (and then updates the new row). Later visits
-- only touch the narrow row, and only when they are later than the last one.
CREATE FUNCTION visits_raise_last_visit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE enterprise_last_visits l SET last_visited_on = n.last
    FROM (SELECT enterprise_id, max(visited_on) AS last FROM new_visits GROUP BY enterprise_id) n
    WHERE l.enterprise_id = n.enterprise_id AND l.last_visited_on < n.last;

    INSERT INTO enterprise_last_visits AS l (enterprise_id, status, last_visited_on)
    SELECT e.id, e.status, n.last
    FROM enterprises e
    JOIN (SELECT enterprise_id, max(visited_on) AS last FROM new_visits GROUP BY enterprise_id) n
      ON n.enterprise_id = e.id
    WHERE NOT EXISTS (SELECT 1 FROM enterprise_last_visits x WHERE x.enterprise_id = e.id)
    ORDER BY e.id
    FOR SHARE OF e
    ON CONFLICT (enterprise_id) DO UPDATE SET last_visited_on = EXCLUDED.last_visited_on
    WHERE l.last_visited_on < EXCLUDED.last_visited_on;
    RETURN NULL;
END $$;

-- An edited or deleted visit may have been the last one: recompute for those enterprises.
CREATE FUNCTION recompute_last_visits(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO enterprise_last_visits AS l (enterprise_id, status, last_visited_on)
    SELECT e.id, e.status, m.last
    FROM enterprises e
    JOIN (SELECT enterprise_id, max(visited_on) AS last FROM visits
          WHERE enterprise_id = ANY (ids) GROUP BY enterprise_id) m
      ON m.enterprise_id = e.id
    ORDER BY e.id
    FOR SHARE OF e
    ON CONFLICT (enterprise_id) DO UPDATE SET last_visited_on = EXCLUDED.last_visited_on;
    DELETE FROM enterprise_last_visits l
    WHERE l.enterprise_id = ANY (ids)
      AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.enterprise_id = l.enterprise_id);
END $$;

CREATE FUNCTION visits_recompute_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM recompute_last_visits(ARRAY(SELECT enterprise_id FROM old_visits
                                        UNION SELECT enterprise_id FROM new_visits));
    RETURN NULL;
END $$;

CREATE FUNCTION visits_recompute_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM recompute_last_visits(ARRAY(SELECT DISTINCT enterprise_id FROM old_visits));
    RETURN NULL;
END $$;

CREATE TRIGGER visits_last_visit_insert AFTER INSERT ON visits
    REFERENCING NEW TABLE AS new_visits
    FOR EACH STATEMENT EXECUTE FUNCTION visits_raise_last_visit();
CREATE TRIGGER visits_last_visit_update AFTER UPDATE ON visits
    REFERENCING OLD TABLE AS old_visits NEW TABLE AS new_visits
    FOR EACH STATEMENT EXECUTE FUNCTION visits_recompute_after_update();
CREATE TRIGGER visits_last_visit_delete AFTER DELETE ON visits
    REFERENCING OLD TABLE AS old_visits
    FOR EACH STATEMENT EXECUTE FUNCTION visits_recompute_after_delete();

-- The copied status follows the enterprise's.
CREATE FUNCTION enterprises_copy_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE enterprise_last_visits SET status = NEW.status WHERE enterprise_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER enterprises_status_to_last_visits AFTER UPDATE OF status ON enterprises
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION enterprises_copy_status();
