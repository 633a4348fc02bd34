-- Running totals for the overview. Counting every enterprise, visit, demand and support measure
-- took 190-215 ms at 100,000 enterprises on a slow host (target: 150 ms), and grows with the
-- data. The overview now sums these small tables instead.
--
-- Every total is kept as deltas. Statement-level triggers (one firing per statement, so a COPY
-- of a million rows adds one row per key) append what a statement added (+1) and removed (-1);
-- an update removes the old version of a row and adds the new one, by two triggers. Writers only
-- ever insert here, so concurrent disbursements never queue on a shared counter row and cannot
-- deadlock on one. Readers sum the deltas by key. `compact_overview_rollups` folds them back
-- into one row per key; the server runs it every few seconds (src/stats/rollups.rs).
--
-- Each rollup has one function with one static statement over the transition table
-- `changed_rows`, and the sign as the trigger's argument. PL/pgSQL keeps the plan of a static
-- statement; building the statement for EXECUTE instead cost 0.27 ms per firing, and made an
-- update of a support measure twice as slow.

-- Support measures per granting department and fiscal year: how many, the amount approved
-- (approved or disbursed measures) and the amount paid. Exact numeric, as on the measures.
CREATE TABLE support_totals (
    department text NOT NULL,
    fiscal_year integer NOT NULL,
    measures bigint NOT NULL,
    approved numeric NOT NULL,
    disbursed numeric NOT NULL
);

CREATE FUNCTION support_totals_collect() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sign integer := TG_ARGV[0];
BEGIN
    INSERT INTO support_totals (department, fiscal_year, measures, approved, disbursed)
    SELECT department, fiscal_year, sign * count(*),
           sign * coalesce(sum(amount) FILTER (WHERE status IN ('approved', 'disbursed')), 0),
           sign * sum(disbursed_amount)
    FROM changed_rows GROUP BY department, fiscal_year;
    RETURN NULL;
END $$;

INSERT INTO support_totals (department, fiscal_year, measures, approved, disbursed)
SELECT department, fiscal_year, count(*),
       coalesce(sum(amount) FILTER (WHERE status IN ('approved', 'disbursed')), 0),
       sum(disbursed_amount)
FROM support_measures GROUP BY department, fiscal_year;

-- Enterprises by status, category, size and region (the overview counts a county for its city).
CREATE TABLE enterprise_tallies (
    dimension text NOT NULL,
    code text NOT NULL,
    n bigint NOT NULL
);

CREATE FUNCTION enterprise_tallies_collect() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sign integer := TG_ARGV[0];
BEGIN
    INSERT INTO enterprise_tallies (dimension, code, n)
    SELECT d.dimension, d.code, sign * count(*)
    FROM changed_rows e
    CROSS JOIN LATERAL (VALUES ('status', e.status), ('category', e.category),
                               ('size', e.size), ('region', e.region_code)) d (dimension, code)
    GROUP BY d.dimension, d.code;
    RETURN NULL;
END $$;

INSERT INTO enterprise_tallies (dimension, code, n)
SELECT d.dimension, d.code, count(*)
FROM enterprises e
CROSS JOIN LATERAL (VALUES ('status', e.status), ('category', e.category),
                           ('size', e.size), ('region', e.region_code)) d (dimension, code)
GROUP BY d.dimension, d.code;

-- Visits per day, for the visits within a window.
CREATE TABLE visit_day_tallies (
    visited_on date NOT NULL,
    n bigint NOT NULL
);

CREATE FUNCTION visit_day_tallies_collect() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sign integer := TG_ARGV[0];
BEGIN
    INSERT INTO visit_day_tallies (visited_on, n)
    SELECT visited_on, sign * count(*) FROM changed_rows GROUP BY visited_on;
    RETURN NULL;
END $$;

INSERT INTO visit_day_tallies (visited_on, n)
SELECT visited_on, count(*) FROM visits GROUP BY visited_on;

-- Enterprises by status and day of their last visit, for "active enterprises visited within
-- the window".
CREATE TABLE last_visit_tallies (
    status text NOT NULL,
    last_visited_on date NOT NULL,
    n bigint NOT NULL
);

CREATE FUNCTION last_visit_tallies_collect() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sign integer := TG_ARGV[0];
BEGIN
    INSERT INTO last_visit_tallies (status, last_visited_on, n)
    SELECT status, last_visited_on, sign * count(*) FROM changed_rows
    GROUP BY status, last_visited_on;
    RETURN NULL;
END $$;

INSERT INTO last_visit_tallies (status, last_visited_on, n)
SELECT status, last_visited_on, count(*) FROM enterprise_last_visits
GROUP BY status, last_visited_on;

-- Demands by assigned department and status. The due date is kept only for demands still being
-- worked on (open or accepted), the only ones that can be overdue.
CREATE TABLE demand_tallies (
    department text NOT NULL,
    status text NOT NULL,
    due_on date,
    n bigint NOT NULL
);

CREATE FUNCTION demand_tallies_collect() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sign integer := TG_ARGV[0];
BEGIN
    INSERT INTO demand_tallies (department, status, due_on, n)
    SELECT assigned_department, status,
           CASE WHEN status IN ('open', 'accepted') THEN due_on END, sign * count(*)
    FROM changed_rows GROUP BY 1, 2, 3;
    RETURN NULL;
END $$;

INSERT INTO demand_tallies (department, status, due_on, n)
SELECT assigned_department, status, CASE WHEN status IN ('open', 'accepted') THEN due_on END,
       count(*)
FROM demands GROUP BY 1, 2, 3;

-- TRUNCATE fires no row-changing trigger and has no transition table: it empties the rollup.
CREATE FUNCTION rollup_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('DELETE FROM %I', TG_ARGV[0]);
    RETURN NULL;
END $$;

-- Each rollup's function fires after every insert (+1), update (old version -1, new +1) and
-- delete (-1) on its source table, and the rollup is emptied when its source is truncated.
DO $$
DECLARE
    t record;
    e record;
BEGIN
    FOR t IN SELECT * FROM (VALUES ('support_totals', 'support_measures'),
                                   ('enterprise_tallies', 'enterprises'),
                                   ('visit_day_tallies', 'visits'),
                                   ('last_visit_tallies', 'enterprise_last_visits'),
                                   ('demand_tallies', 'demands')) v (rollup, source)
    LOOP
        FOR e IN SELECT * FROM (VALUES ('insert', 'INSERT', 'NEW', '1'),
                                       ('update_new', 'UPDATE', 'NEW', '1'),
                                       ('update_old', 'UPDATE', 'OLD', '-1'),
                                       ('delete', 'DELETE', 'OLD', '-1')) v (suffix, event, version, sign)
        LOOP
            EXECUTE format('CREATE TRIGGER %1$s_%3$s AFTER %4$s ON %2$I
                                REFERENCING %5$s TABLE AS changed_rows
                                FOR EACH STATEMENT EXECUTE FUNCTION %1$s_collect(%6$L)',
                           t.rollup, t.source, e.suffix, e.event, e.version, e.sign);
        END LOOP;
        EXECUTE format('CREATE TRIGGER %1$s_truncate AFTER TRUNCATE ON %2$I
                            FOR EACH STATEMENT EXECUTE FUNCTION rollup_truncated(%1$L)',
                       t.rollup, t.source);
    END LOOP;
END $$;

-- Folds each table's deltas into one row per key; keys that add up to nothing go. Each DELETE
-- takes exactly the rows its snapshot sees, and re-adds their sum in the same statement, so
-- writers may go on inserting meanwhile, and two compactions at once are safe: the second
-- skips the rows the first deleted. Open demands already past their due date on `today` stay
-- overdue for good, so their due dates are folded into one ('-infinity').
CREATE FUNCTION compact_overview_rollups(today date) RETURNS void LANGUAGE sql AS $$
    WITH gone AS (DELETE FROM support_totals RETURNING *)
    INSERT INTO support_totals (department, fiscal_year, measures, approved, disbursed)
    SELECT * FROM (
        SELECT department, fiscal_year, sum(measures) AS measures, sum(approved) AS approved,
               sum(disbursed) AS disbursed
        FROM gone GROUP BY department, fiscal_year) d
    WHERE measures <> 0 OR approved <> 0 OR disbursed <> 0;

    WITH gone AS (DELETE FROM enterprise_tallies RETURNING *)
    INSERT INTO enterprise_tallies (dimension, code, n)
    SELECT dimension, code, sum(n) FROM gone GROUP BY dimension, code HAVING sum(n) <> 0;

    WITH gone AS (DELETE FROM visit_day_tallies RETURNING *)
    INSERT INTO visit_day_tallies (visited_on, n)
    SELECT visited_on, sum(n) FROM gone GROUP BY visited_on HAVING sum(n) <> 0;

    WITH gone AS (DELETE FROM last_visit_tallies RETURNING *)
    INSERT INTO last_visit_tallies (status, last_visited_on, n)
    SELECT status, last_visited_on, sum(n) FROM gone
    GROUP BY status, last_visited_on HAVING sum(n) <> 0;

    WITH gone AS (DELETE FROM demand_tallies RETURNING *)
    INSERT INTO demand_tallies (department, status, due_on, n)
    SELECT department, status,
           CASE WHEN due_on < today THEN '-infinity'::date ELSE due_on END, sum(n)
    FROM gone GROUP BY 1, 2, 3 HAVING sum(n) <> 0;
$$;
